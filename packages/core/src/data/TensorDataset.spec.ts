import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { BatchOptions } from './Dataset.js';
import { TensorDataset } from './TensorDataset.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Example i has input [i, 10·i] and label i mod 3, so a batch shows which examples it holds and that labels follow them. */
function numberedDataset(size: number): TensorDataset {
  const inputs = tf.tensor2d(Array.from({ length: size }, (_, i) => [i, 10 * i]));
  const labels = tf.tensor1d(
    Array.from({ length: size }, (_, i) => i % 3),
    'int32',
  );
  return new TensorDataset(inputs, labels);
}

interface PlainBatch {
  readonly examples: number[];
  readonly indices: number[];
  readonly inputs: number[][];
  readonly labels: number[];
  readonly labelDtype: string;
}

/** Reads every batch into plain arrays and disposes it, as the training loop does. */
function readBatches(dataset: TensorDataset, options: BatchOptions): PlainBatch[] {
  const batches: PlainBatch[] = [];
  for (const batch of dataset.batches(options)) {
    const inputs = batch.inputs.arraySync() as number[][];
    batches.push({
      examples: inputs.map((row) => row[0] as number),
      indices: Array.from(batch.indices ?? []),
      inputs,
      labels: Array.from(batch.labels.dataSync()),
      labelDtype: batch.labels.dtype,
    });
    tf.dispose([batch.inputs, batch.labels]);
  }
  return batches;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('TensorDataset', () => {
  it('knows its size and the shape of one example', () => {
    const dataset = numberedDataset(5);
    expect(dataset.size).toBe(5);
    expect(dataset.inputShape).toEqual([2]);
    dataset.dispose();
  });

  it('serves unshuffled batches in order, the last one short', () => {
    const dataset = numberedDataset(5);
    const batches = readBatches(dataset, { batchSize: 2, shuffle: false, seed: 0, epoch: 0 });
    expect(batches.map((batch) => batch.inputs)).toEqual([
      [
        [0, 0],
        [1, 10],
      ],
      [
        [2, 20],
        [3, 30],
      ],
      [[4, 40]],
    ]);
    // labels are i mod 3
    expect(batches.map((batch) => batch.labels)).toEqual([[0, 1], [2, 0], [1]]);
    expect(batches.map((batch) => batch.indices)).toEqual([[0, 1], [2, 3], [4]]);
    expect(batches.every((batch) => batch.labelDtype === 'int32')).toBe(true);
    dataset.dispose();
  });

  it('serves every example exactly once per shuffled epoch, labels following their inputs', () => {
    const dataset = numberedDataset(10);
    const batches = readBatches(dataset, { batchSize: 3, shuffle: true, seed: 7, epoch: 0 });
    expect(batches.map((batch) => batch.examples.length)).toEqual([3, 3, 3, 1]);
    const seen = batches.flatMap((batch) => batch.examples);
    // Each batch says which examples it holds: what the teacher-output cache keys rows on.
    expect(batches.flatMap((batch) => batch.indices)).toEqual(seen);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const batch of batches) {
      batch.inputs.forEach((row, k) => {
        expect(row[1]).toBe(10 * (row[0] as number));
        expect(batch.labels[k]).toBe((row[0] as number) % 3);
      });
    }
    dataset.dispose();
  });

  it('shuffles in an order that depends only on the seed and the epoch', () => {
    const first = numberedDataset(20);
    const second = numberedDataset(20);
    const order = (dataset: TensorDataset, seed: number, epoch: number) =>
      readBatches(dataset, { batchSize: 4, shuffle: true, seed, epoch }).flatMap((batch) => batch.examples);
    const seed3epoch0 = order(first, 3, 0);
    // Same (seed, epoch): the same order, asked again or from another dataset of the same size.
    expect(order(first, 3, 0)).toEqual(seed3epoch0);
    expect(order(second, 3, 0)).toEqual(seed3epoch0);
    // Another epoch or another seed: another order (20! orders, so an equal one would be a bug).
    expect(order(first, 3, 1)).not.toEqual(seed3epoch0);
    expect(order(first, 4, 0)).not.toEqual(seed3epoch0);
    expect(seed3epoch0).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
    first.dispose();
    second.dispose();
  });

  it('converts float labels to int32 and frees the float tensor', () => {
    const floatLabels = tf.tensor1d([2, 0, 1], 'float32');
    const dataset = new TensorDataset(tf.zeros([3, 4]), floatLabels);
    expect(floatLabels.isDisposed).toBe(true);
    const [batch] = readBatches(dataset, { batchSize: 3, shuffle: false, seed: 0, epoch: 0 });
    expect(batch?.labelDtype).toBe('int32');
    expect(batch?.labels).toEqual([2, 0, 1]);
    dataset.dispose();
  });

  it('refuses inputs without an example axis', () => {
    const inputs = tf.tensor1d([1, 2, 3]);
    const labels = tf.tensor1d([0, 1, 0], 'int32');
    const error = errorOf(() => new TensorDataset(inputs, labels));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe('dataset inputs: expected shape [N, ...], got [3]');
    tf.dispose([inputs, labels]);
  });

  it('refuses labels whose count differs from the examples', () => {
    const inputs = tf.zeros([3, 2]);
    const short = tf.tensor1d([0, 1], 'int32');
    expect(errorOf(() => new TensorDataset(inputs, short)).message).toBe(
      'dataset labels: expected shape [3] (one class index per example), got [2]',
    );
    const oneHot = tf.zeros([3, 2], 'int32');
    expect(errorOf(() => new TensorDataset(inputs, oneHot)).message).toBe(
      'dataset labels: expected shape [3] (one class index per example), got [3, 2]',
    );
    tf.dispose([inputs, short, oneHot]);
  });

  it('leaks no tensor over a full pass when each batch is disposed', async () => {
    const dataset = numberedDataset(7);
    await expectNoLeaks(() => {
      for (const batch of dataset.batches({ batchSize: 3, shuffle: false, seed: 0, epoch: 0 })) {
        tf.dispose([batch.inputs, batch.labels]);
      }
      for (const batch of dataset.batches({ batchSize: 3, shuffle: true, seed: 1, epoch: 2 })) {
        tf.dispose([batch.inputs, batch.labels]);
      }
    });
    dataset.dispose();
  });

  it('frees its tensors on dispose', () => {
    const before = tf.memory().numTensors;
    const dataset = numberedDataset(4);
    dataset.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
