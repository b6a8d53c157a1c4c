import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; tfjs-layers registers them all.
import '@tensorflow/tfjs-layers';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resizeBilinearHalfPixel } from './resizeBilinearHalfPixel.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i] as number, digits);
}

/** Runs `fn` on fresh tensors made from `inputs`, returns the plain values of its result, and frees everything. */
function valuesOf(
  inputs: () => tf.Tensor[],
  fn: (...tensors: tf.Tensor[]) => tf.Tensor,
): Promise<{ shape: number[]; values: number[] }> {
  return expectNoLeaks(() => {
    const tensors = inputs();
    const result = fn(...tensors);
    const plain = { shape: result.shape, values: Array.from(result.dataSync()) };
    tf.dispose([...tensors, result]);
    return plain;
  });
}

describe('resizeBilinearHalfPixel', () => {
  it('halves a map by averaging each 2×2 block, since half-pixel centres fall between pixels', async () => {
    // Output (i, j) samples source (2i + 0.5, 2j + 0.5): the mean of the block rows 2i..2i+1, columns 2j..2j+1.
    // x = 1..16 row-major in 4×4: blocks (1+2+5+6)/4 = 3.5, (3+4+7+8)/4 = 5.5, (9+10+13+14)/4 = 11.5, 13.5
    const { shape, values } = await valuesOf(
      () => [
        tf.tensor4d(
          Array.from({ length: 16 }, (_, i) => i + 1),
          [1, 4, 4, 1],
        ),
      ],
      (x) => resizeBilinearHalfPixel(x as tf.Tensor4D, [2, 2]),
    );
    expect(shape).toEqual([1, 2, 2, 1]);
    expectClose(values, [3.5, 5.5, 11.5, 13.5]);
  });

  it('reproduces a linear ramp exactly at a non-integer ratio (3×3 → 2×2)', async () => {
    // x(r, c) = 9r + 3c. Scale 3/2: sources (i + 0.5)·1.5 − 0.5 = 0.25 and 1.75 along each axis.
    // Bilinear interpolation of a linear function is exact: 9·0.25 + 3·0.25 = 3, 9·0.25 + 3·1.75 = 7.5,
    // 9·1.75 + 3·0.25 = 16.5, 9·1.75 + 3·1.75 = 21.
    const { values } = await valuesOf(
      () => [tf.tensor4d([0, 3, 6, 9, 12, 15, 18, 21, 24], [1, 3, 3, 1])],
      (x) => resizeBilinearHalfPixel(x as tf.Tensor4D, [2, 2]),
    );
    expectClose(values, [3, 7.5, 16.5, 21]);
  });

  it('resizes every example and channel on its own, on maps that are not square', async () => {
    // [2, 2, 4, 2]: example b, channel c holds the constant 10b + c; a constant stays itself when resized.
    const constantPerSlice = Array.from({ length: 2 * 2 * 4 * 2 }, (_, i) => 10 * Math.floor(i / 16) + (i % 2));
    const { shape, values } = await valuesOf(
      () => [tf.tensor4d(constantPerSlice, [2, 2, 4, 2])],
      (x) => resizeBilinearHalfPixel(x as tf.Tensor4D, [1, 2]),
    );
    expect(shape).toEqual([2, 1, 2, 2]);
    expectClose(values, [0, 1, 0, 1, 10, 11, 10, 11]);
  });

  it('has the exact adjoint as its gradient (4×4 → 2×2: each output spreads its weight evenly over its block)', async () => {
    // L = Σ w ⊙ resize(x), w = [1, 10, 100, 1000]; output (i, j) = block mean, so ∂L/∂x = w_block / 4 on each block.
    const { values } = await valuesOf(
      () => [tf.zeros([1, 4, 4, 1]), tf.tensor4d([1, 10, 100, 1000], [1, 2, 2, 1])],
      (x, w) =>
        tf.grad((images: tf.Tensor) => tf.sum(tf.mul(resizeBilinearHalfPixel(images as tf.Tensor4D, [2, 2]), w as tf.Tensor)))(
          x as tf.Tensor,
        ),
    );
    const quarter = [0.25, 2.5, 25, 250];
    const expected = [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3].map((block) => quarter[block] as number);
    expectClose(values, expected);
  });

  it('has the exact adjoint as its gradient at a non-integer ratio, on a map that is not square (3×6 → 2×4)', async () => {
    // L = Σ resize(x): ∂L/∂x[k, l] = (Σ_i R[i, k]) · (Σ_j C[j, l]), R and C the interpolation weights per axis.
    // Rows, scale 1.5: sources 0.25 → (0.75 on 0, 0.25 on 1), 1.75 → (0.25 on 1, 0.75 on 2); sums [0.75, 0.5, 0.75].
    // Columns, scale 1.5: sources 0.25, 1.75, 3.25, 4.75 → sums [0.75, 0.5, 0.75, 0.75, 0.5, 0.75].
    const { values } = await valuesOf(
      () => [tf.randomNormal([1, 3, 6, 1], 0, 1, 'float32', 4)],
      (x) => tf.grad((images: tf.Tensor) => tf.sum(resizeBilinearHalfPixel(images as tf.Tensor4D, [2, 4])))(x as tf.Tensor),
    );
    const rowSums = [0.75, 0.5, 0.75];
    const columnSums = [0.75, 0.5, 0.75, 0.75, 0.5, 0.75];
    expectClose(
      values,
      rowSums.flatMap((row) => columnSums.map((column) => row * column)),
    );
  });

  it('refuses a size that is not two positive integers', () => {
    const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => resizeBilinearHalfPixel(x, [0, 2])).toThrow(
      'resizeBilinearHalfPixel: expected a size of two positive integers, got [0, 2]',
    );
    x.dispose();
  });
});
