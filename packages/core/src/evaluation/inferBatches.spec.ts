import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { TensorDataset } from '../data/TensorDataset.js';
import { inferBatches } from './inferBatches.js';

describe('inferBatches', () => {
  it('hands every batch in order, with its labels and offset, and frees what it computed', async () => {
    const data = new TensorDataset(tf.tensor2d([[1], [2], [3], [4], [5]]), tf.tensor1d([0, 1, 0, 1, 1], 'int32'));
    const before = tf.memory().numTensors;
    const seen: Array<[number[], number[], number]> = [];
    const examples = await inferBatches(
      data,
      2,
      (batch) => [tf.mul(batch.inputs, 10)],
      ([tens], labels, offset) => {
        seen.push([Array.from(tens as tf.TypedArray), Array.from(labels), offset]);
      },
    );
    expect(examples).toBe(5);
    expect(seen).toEqual([
      [[10, 20], [0, 1], 0],
      [[30, 40], [0, 1], 2],
      [[50], [1], 4],
    ]);
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
  });

  it('frees the batch and what it computed when the consumer throws', async () => {
    const data = new TensorDataset(tf.tensor2d([[1], [2]]), tf.tensor1d([0, 1], 'int32'));
    const before = tf.memory().numTensors;
    await expect(
      inferBatches(
        data,
        2,
        (batch) => [tf.neg(batch.inputs)],
        () => {
          throw new Error('consumer failed');
        },
      ),
    ).rejects.toThrow('consumer failed');
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
  });
});
