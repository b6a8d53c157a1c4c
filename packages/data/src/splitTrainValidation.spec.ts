import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExampleStore } from './ExampleStore.js';
import { IndexedDataset } from './IndexedDataset.js';
import { randomShift } from './randomShift.js';
import { splitTrainValidation } from './splitTrainValidation.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Example i is the 1×1×1 image [i] with label i mod 2. */
function numberedStore(size: number): ExampleStore {
  return new ExampleStore({
    id: 'numbers',
    inputs: Float32Array.from({ length: size }, (_, i) => i),
    exampleShape: [1, 1, 1],
    labels: Int32Array.from({ length: size }, (_, i) => i % 2),
    numClasses: 2,
  });
}

function examplesOf(dataset: IndexedDataset): number[] {
  const examples: number[] = [];
  for (const batch of dataset.batches({ batchSize: 7, shuffle: false, seed: 0, epoch: 0 })) {
    examples.push(...batch.inputs.dataSync());
    tf.dispose([batch.inputs, batch.labels]);
  }
  return examples;
}

const range = (start: number, end: number) => Array.from({ length: end - start }, (_, i) => start + i);

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('splitTrainValidation', () => {
  it('holds out the last examples when given no seed', () => {
    const { train, validation } = splitTrainValidation(numberedStore(10), { validation: 3 });
    expect(train.id).toBe('numbers[0:7]');
    expect(validation.id).toBe('numbers[7:10]');
    expect(examplesOf(train)).toEqual(range(0, 7));
    expect(examplesOf(validation)).toEqual([7, 8, 9]);
    expect(Array.from(validation.labels())).toEqual([1, 0, 1]);
  });

  it('takes a fraction as a rounded count', () => {
    // 0.2 · 10 = 2 held out; 0.15 · 10 = 1.5 rounds to 2 as well.
    expect(splitTrainValidation(numberedStore(10), { validation: 0.2 }).validation.size).toBe(2);
    expect(splitTrainValidation(numberedStore(10), { validation: 0.15 }).validation.size).toBe(2);
    expect(splitTrainValidation(numberedStore(10), { validation: 0.2 }).train.size).toBe(8);
  });

  it('with a seed, holds out a random selection that depends only on the seed', () => {
    const store = numberedStore(50);
    const first = splitTrainValidation(store, { validation: 10, seed: 1 });
    expect(first.validation.id).toBe('numbers[random 10, seed 1]');
    expect(first.train.id).toBe('numbers[all but random 10, seed 1]');
    const held = examplesOf(first.validation);
    const kept = examplesOf(first.train);
    // Disjoint, together all 50, each part in the store's order.
    expect([...held, ...kept].sort((a, b) => a - b)).toEqual(range(0, 50));
    expect(held).toEqual([...held].sort((a, b) => a - b));
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(held).not.toEqual(range(40, 50));
    expect(examplesOf(splitTrainValidation(numberedStore(50), { validation: 10, seed: 1 }).validation)).toEqual(held);
    expect(examplesOf(splitTrainValidation(store, { validation: 10, seed: 2 }).validation)).not.toEqual(held);
  });

  it('splits a view, keeping its augmentation on the training part only', () => {
    const view = new IndexedDataset(numberedStore(20)).slice(10).withAugmentation(randomShift({ maxPixels: 0 }));
    const { train, validation } = splitTrainValidation(view, { validation: 4 });
    expect(train.id).toBe('numbers[10:20][0:6]+randomShift(0)');
    expect(validation.id).toBe('numbers[10:20][6:10]');
    expect(validation.augmentation).toBeUndefined();
    expect(examplesOf(validation)).toEqual([16, 17, 18, 19]);
  });

  it('copies no data and makes no tensor, however many splits', () => {
    const store = numberedStore(1000);
    const before = tf.memory();
    const splits = Array.from({ length: 100 }, (_, k) => splitTrainValidation(store, { validation: 100, seed: k }));
    expect(
      splits.every(({ train, validation }) => train.store.inputs === store.inputs && validation.store.inputs === store.inputs),
    ).toBe(true);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('refuses a validation size that leaves a part empty or is no count', () => {
    const store = numberedStore(10);
    const error = errorOf(() => splitTrainValidation(store, { validation: 10 }));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe(
      'splitTrainValidation: validation must be a count in [1, 9] or a fraction in (0, 1) leaving both parts non-empty, got 10 of 10 examples',
    );
    for (const validation of [0, -2, 2.5, 0.01]) {
      expect(errorOf(() => splitTrainValidation(store, { validation })).message).toContain(`got ${validation} of 10 examples`);
    }
    expect(errorOf(() => splitTrainValidation(store, { validation: 2, seed: 0.5 })).message).toBe(
      'splitTrainValidation: seed must be an integer, got 0.5',
    );
  });
});
