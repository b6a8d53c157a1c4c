import '@tensorflow/tfjs-backend-cpu';
import { attentionTransferLoss } from '@distillery/plugin-attention';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { perExampleAttentionLoss } from './perExampleAttentionLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('perExampleAttentionLoss', () => {
  it('is each example’s mean over positions of the squared attention-map difference, worked by hand', async () => {
    // 1×2 maps, one channel. Student example 1: A = [1, 0] → Q = A² = [1, 0], normalised [1, 0];
    // teacher: A = [1, 1] → Q = [1, 1] → [1/√2, 1/√2]. Loss = ((1 − 1/√2)² + (1/√2)²) / 2 = (2 − √2) / 2.
    // Example 2: identical maps → 0.
    const values = await expectNoLeaks(async () => {
      const losses = tf.tidy(() =>
        perExampleAttentionLoss(tf.tensor4d([1, 0, 3, 4], [2, 1, 2, 1]), tf.tensor4d([1, 1, 3, 4], [2, 1, 2, 1])),
      );
      const result = await losses.array();
      losses.dispose();
      return result;
    });
    expect(values[0]).toBeCloseTo((2 - Math.SQRT2) / 2, 6);
    expect(values[1]).toBeCloseTo(0, 6);
  });

  it('averages to attentionTransferLoss over the batch, channel counts differing', async () => {
    const [perExampleMean, batchMean] = await expectNoLeaks(async () => {
      const results = tf.tidy(() => {
        const student = tf.randomNormal([3, 4, 4, 2], 0, 1, 'float32', 3);
        const teacher = tf.randomNormal([3, 4, 4, 6], 0, 1, 'float32', 4);
        return [tf.mean(perExampleAttentionLoss(student, teacher)), attentionTransferLoss(student, teacher)];
      });
      const values = await Promise.all(results.map(async (tensor) => (await tensor.data())[0] as number));
      tf.dispose(results);
      return values;
    });
    expect(perExampleMean).toBeCloseTo(batchMean as number, 6);
  });

  it('rejects maps that are not NHWC or differ in size', () => {
    expect(() => perExampleAttentionLoss(tf.zeros([2, 3]), tf.zeros([2, 3]))).toThrow(
      'perExampleAttentionLoss: expected NHWC feature maps [B, H, W, C], got student feature [2, 3] and teacher feature [2, 3]',
    );
    expect(() => perExampleAttentionLoss(tf.zeros([2, 4, 4, 1]), tf.zeros([2, 2, 2, 1]))).toThrow(
      'perExampleAttentionLoss: student feature [2, 4, 4, 1] and teacher feature [2, 2, 2, 1] differ in batch or spatial size',
    );
  });
});
