import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gatherFlat } from './gatherFlat.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gatherFlat', () => {
  it('picks values[indices], and its gradient adds dy at each index, repeated ones twice', async () => {
    const [values, gradient] = await expectNoLeaks(() =>
      tf.tidy(() => {
        const x = tf.tensor1d([10, 20, 30, 40]);
        const indices = tf.tensor1d([3, 0, 3, 1], 'int32');
        const weights = tf.tensor1d([1, 2, 3, 4]);
        // d/dx of Σ_i w_i · x[indices_i]: x0 ← 2, x1 ← 4, x2 ← 0, x3 ← 1 + 3.
        const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(gatherFlat(input as tf.Tensor1D, indices), weights)))(x);
        return [Array.from(gatherFlat(x, indices).dataSync()), Array.from(grad.dataSync())] as const;
      }),
    );
    expect(values).toEqual([40, 10, 40, 20]);
    expect(gradient).toEqual([2, 4, 0, 4]);
  });

  it('has the gradient tf.gather has, on random values with repeats', async () => {
    const [ours, theirs] = await expectNoLeaks(() =>
      tf.tidy(() => {
        const x = tf.randomNormal([50], 0, 1, 'float32', 4) as tf.Tensor1D;
        const indices = tf.tensor1d(
          Array.from({ length: 80 }, (_, i) => (i * 37) % 50),
          'int32',
        );
        const weights = tf.randomNormal([80], 0, 1, 'float32', 5);
        const gradientOf = (gather: (v: tf.Tensor1D, i: tf.Tensor1D) => tf.Tensor) =>
          Array.from(
            tf
              .grad((input: tf.Tensor) => tf.sum(tf.mul(gather(input as tf.Tensor1D, indices), weights)))(x)
              .dataSync(),
          );
        return [gradientOf(gatherFlat), gradientOf((v, i) => tf.gather(v, i))] as const;
      }),
    );
    ours.forEach((value, i) => {
      expect(value).toBeCloseTo(theirs[i] as number, 5);
    });
  });
});
