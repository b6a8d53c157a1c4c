import '@tensorflow/tfjs-backend-cpu';
import { stopGradient } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradientReversal } from './gradientReversal.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gradientReversal', () => {
  it('passes values through unchanged', async () => {
    const values = await expectNoLeaks(() =>
      tf.tidy(() => Array.from(gradientReversal(tf.tensor1d([1.5, -2, 0]), 0.7).dataSync())),
    );
    expect(values).toEqual([1.5, -2, 0]);
  });

  it('multiplies the gradient by −λ: d/dx Σ (3·GRL(x))² = −λ · 18x', async () => {
    const gradient = await expectNoLeaks(() =>
      tf.tidy(() => {
        const loss = (x: tf.Tensor) => tf.sum(tf.square(tf.mul(gradientReversal(x, 0.5), 3)));
        return Array.from(
          tf
            .grad(loss)(tf.tensor1d([1, -2]))
            .dataSync(),
        );
      }),
    );
    // Without the layer: 18x = [18, −36]; reversed at λ = 0.5: [−9, 18].
    expect(gradient[0]).toBeCloseTo(-9, 5);
    expect(gradient[1]).toBeCloseTo(18, 5);
  });

  it('blocks the gradient at λ = 0, as stopGradient always does', async () => {
    const [reversed, detached] = await expectNoLeaks(() =>
      tf.tidy(() => {
        const x = tf.tensor1d([2, 3]);
        return [gradientReversal, (t: tf.Tensor) => stopGradient(t)].map((layer) =>
          Array.from(
            tf
              .grad((input: tf.Tensor) => tf.sum(tf.square(layer(input, 0))))(x)
              .dataSync(),
          ),
        );
      }),
    );
    expect(reversed?.map(Math.abs)).toEqual([0, 0]);
    expect(detached).toEqual([0, 0]);
  });

  it('leaves other paths to the same input untouched', async () => {
    // f(x) = x · 2 + GRL_1(x) · 5: the gradient is 2 − 5 = −3.
    const gradient = await expectNoLeaks(() =>
      tf.tidy(
        () =>
          tf
            .grad((x: tf.Tensor) => tf.sum(tf.add(tf.mul(x, 2), tf.mul(gradientReversal(x, 1), 5))))(tf.scalar(4))
            .dataSync()[0],
      ),
    );
    expect(gradient).toBeCloseTo(-3, 6);
  });
});
