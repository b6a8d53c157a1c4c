import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resizeNearest } from './resizeNearest.js';
import { resizeNearestByGather } from './resizeNearestByGather.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function resized(values: number[], shape: [number, number, number, number], size: [number, number]): Promise<number[]> {
  return expectNoLeaks(async () => {
    const input = tf.tensor4d(values, shape);
    const result = resizeNearest(input, size);
    const out = Array.from(await result.data());
    tf.dispose([input, result]);
    return out;
  });
}

describe('resizeNearest', () => {
  it('copies input row floor(i·H/h) into output row i, as PyTorch’s mode="nearest"', async () => {
    // 2 → 4: rows 0, 0, 1, 1. 3 → 5: floor(0, 0.6, 1.2, 1.8, 2.4) = 0, 0, 1, 1, 2. 5 → 3: floor(0, 1.67, 3.33) = 0, 1, 3.
    expect(await resized([7, 8], [1, 2, 1, 1], [4, 1])).toEqual([7, 7, 8, 8]);
    expect(await resized([7, 8, 9], [1, 3, 1, 1], [5, 1])).toEqual([7, 7, 8, 8, 9]);
    expect(await resized([1, 2, 3, 4, 5], [1, 5, 1, 1], [3, 1])).toEqual([1, 2, 4]);
  });

  it('matches PyTorch on 14 → 20 rows, where the ratio is not a power of two', async () => {
    // PyTorch 1.13: F.interpolate(torch.arange(14.).view(1, 1, 14, 1), size=(20, 1), mode='nearest').
    const expected = [0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 9, 10, 11, 11, 12, 13];
    expect(
      await resized(
        Array.from({ length: 14 }, (_, i) => i),
        [1, 14, 1, 1],
        [20, 1],
      ),
    ).toEqual(expected);
  });

  it('spreads a 1×1 map over the whole output, and resizes rows and columns independently, channel by channel', async () => {
    expect(await resized([3, -1], [1, 1, 1, 2], [2, 2])).toEqual([3, -1, 3, -1, 3, -1, 3, -1]);
    // [[1, 2], [3, 4]] → 2×4: each column doubled, rows kept.
    expect(await resized([1, 2, 3, 4], [1, 2, 2, 1], [2, 4])).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it('sums the gradient of every copy into its source', async () => {
    // 2 → 3 rows: sources 0, 0, 1, so d Σ_i w_i·y_i / dx = [w₀ + w₁, w₂] with w = [1, 10, 100].
    const gradient = await expectNoLeaks(async () => {
      const x = tf.tensor4d([5, 6], [1, 2, 1, 1]);
      const weights = tf.tensor4d([1, 10, 100], [1, 3, 1, 1]);
      const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(resizeNearest(input as tf.Tensor4D, [3, 1]), weights)))(x);
      const values = Array.from(await grad.data());
      tf.dispose([x, weights, grad]);
      return values;
    });
    expect(gradient).toEqual([11, 100]);
  });

  it.each([
    { shape: [2, 8, 8, 3], size: [16, 16] },
    { shape: [1, 16, 16, 2], size: [32, 32] },
    { shape: [1, 3, 5, 2], size: [6, 15] },
    { shape: [2, 4, 4, 3], size: [16, 8] },
    { shape: [1, 1, 1, 2], size: [3, 3] },
    { shape: [1, 4, 3, 2], size: [8, 5] },
    { shape: [2, 7, 7, 2], size: [14, 7] },
  ] as { shape: [number, number, number, number]; size: [number, number] }[])(
    'gives the gathers’ values and gradients bit for bit where a side grows by a whole factor: $shape → $size',
    async ({ shape, size }) => {
      const input = tf.randomNormal(shape, 0, 1, 'float32', 7) as tf.Tensor4D;
      const upstream = tf.randomNormal([shape[0], size[0], size[1], shape[3]], 0, 1, 'float32', 8);
      const byGathers = (x: tf.Tensor4D) =>
        tf.tidy(() => resizeNearestByGather(resizeNearestByGather(x, 1, size[0]), 2, size[1]));
      const [ours, reference] = await expectNoLeaks(async () =>
        Promise.all(
          [(x: tf.Tensor4D) => resizeNearest(x, size), byGathers].map(async (resize) => {
            const value = resize(input);
            const gradient = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(resize(x as tf.Tensor4D), upstream)))(input);
            const out = {
              shape: value.shape,
              value: Array.from(await value.data()),
              gradient: Array.from(await gradient.data()),
            };
            tf.dispose([value, gradient]);
            return out;
          }),
        ),
      );
      tf.dispose([input, upstream]);
      expect(ours?.shape).toEqual([shape[0], size[0], size[1], shape[3]]);
      expect(ours).toEqual(reference);
    },
  );
});
