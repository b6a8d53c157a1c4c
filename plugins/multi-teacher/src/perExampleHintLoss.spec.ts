import '@tensorflow/tfjs-backend-cpu';
import { hintLoss } from '@distillery/plugin-feature';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { perExampleHintLoss } from './perExampleHintLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('perExampleHintLoss', () => {
  it('is each example’s mean squared difference, worked by hand', async () => {
    // Example 1: ((1 − 0)² + (2 − 0)²) / 2 = 2.5; example 2: ((0 − 0)² + (0 − 2)²) / 2 = 2.
    const values = await expectNoLeaks(async () => {
      const losses = tf.tidy(() =>
        perExampleHintLoss(
          tf.tensor2d([
            [1, 2],
            [0, 0],
          ]),
          tf.tensor2d([
            [0, 0],
            [0, 2],
          ]),
        ),
      );
      const result = await losses.array();
      losses.dispose();
      return result;
    });
    expect(values).toEqual([2.5, 2]);
  });

  it('averages to hintLoss over the batch, for NHWC maps too', async () => {
    const [perExampleMean, batchMean] = await expectNoLeaks(async () => {
      const results = tf.tidy(() => {
        const student = tf.randomNormal([3, 2, 2, 4], 0, 1, 'float32', 1);
        const teacher = tf.randomNormal([3, 2, 2, 4], 0, 1, 'float32', 2);
        return [tf.mean(perExampleHintLoss(student, teacher)), hintLoss(student, teacher)];
      });
      const values = await Promise.all(results.map(async (tensor) => (await tensor.data())[0] as number));
      tf.dispose(results);
      return values;
    });
    expect(perExampleMean).toBeCloseTo(batchMean as number, 6);
  });

  it('rejects features of different shapes', () => {
    expect(() => perExampleHintLoss(tf.zeros([2, 3]), tf.zeros([2, 4]))).toThrow(
      'perExampleHintLoss: student feature [2, 3] and teacher feature [2, 4] must have one shape [B, ...]',
    );
  });
});
