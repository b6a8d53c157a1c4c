import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeAlongAxis } from './normalizeAlongAxis.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('normalizeAlongAxis', () => {
  it('divides each vector along the axis by its length', async () => {
    const values = await expectNoLeaks(async () => {
      const unit = tf.tidy(() =>
        normalizeAlongAxis(
          tf.tensor2d([
            [3, 0],
            [4, -2],
          ]),
          0,
        ),
      );
      const result = await unit.array();
      unit.dispose();
      return result;
    });
    // Columns [3, 4] (length 5) and [0, −2] (length 2).
    expect(values[0]?.[0]).toBeCloseTo(0.6, 6);
    expect(values[1]?.[0]).toBeCloseTo(0.8, 6);
    expect(values[0]?.[1]).toBeCloseTo(0, 6);
    expect(values[1]?.[1]).toBeCloseTo(-1, 6);
  });

  it('maps an all-zero vector to zero with a finite gradient (1e12 = 1 / eps, as F.normalize)', async () => {
    const { value, gradient } = await expectNoLeaks(async () => {
      const [unit, grads] = tf.tidy(() => {
        const zeros = tf.zeros([1, 3]);
        return [normalizeAlongAxis(zeros, 1), tf.grad((x: tf.Tensor) => tf.sum(normalizeAlongAxis(x, 1)))(zeros)];
      });
      const result = { value: Array.from(await unit.data()), gradient: Array.from(await grads.data()) };
      tf.dispose([unit, grads]);
      return result;
    });
    expect(value).toEqual([0, 0, 0]);
    // Below eps the map is x / 1e-12, so each partial derivative of the sum is 1e12.
    for (const partial of gradient) expect(partial / 1e12).toBeCloseTo(1, 5);
  });
});
