import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeRows } from './normalizeRows.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('normalizeRows', () => {
  it('divides each row by its L2 norm: [3, 4] → [0.6, 0.8], [0, −2] → [0, −1]', async () => {
    const values = await expectNoLeaks(() =>
      tf.tidy(() =>
        Array.from(
          normalizeRows(
            tf.tensor2d([
              [3, 4],
              [0, -2],
            ]),
          ).dataSync(),
        ),
      ),
    );
    expect(values.map((value) => Number(value.toFixed(6)))).toEqual([0.6, 0.8, 0, -1]);
  });

  it('maps an all-zero row to zeros with finite gradients', async () => {
    const [values, gradient] = await expectNoLeaks(() =>
      tf.tidy(() => {
        const zero = tf.zeros([1, 3]) as tf.Tensor2D;
        const grad = tf.grad((x: tf.Tensor) => tf.sum(normalizeRows(x as tf.Tensor2D)))(zero);
        return [Array.from(normalizeRows(zero).dataSync()), Array.from(grad.dataSync())] as const;
      }),
    );
    expect(values).toEqual([0, 0, 0]);
    expect(gradient.every(Number.isFinite)).toBe(true);
  });
});
