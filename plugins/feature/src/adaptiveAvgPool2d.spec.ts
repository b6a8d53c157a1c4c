import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adaptiveAvgPool2d } from './adaptiveAvgPool2d.js';
import { adaptiveAvgPool2dByBinWeights } from './adaptiveAvgPool2dByBinWeights.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** adaptiveAvgPool2d(values as [B, H, W, C]) as plain numbers, with its shape; checks for leaks. */
async function pooled(
  values: number[],
  shape: [number, number, number, number],
  size: [number, number],
): Promise<{ shape: number[]; values: number[] }> {
  return expectNoLeaks(async () => {
    const input = tf.tensor4d(values, shape);
    const result = adaptiveAvgPool2d(input, size);
    const out = { shape: result.shape, values: Array.from(await result.data()) };
    tf.dispose([input, result]);
    return out;
  });
}

function expectClose(actual: number[], expected: number[], digits = 5): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((value, i) => {
    expect(actual[i]).toBeCloseTo(value, digits);
  });
}

describe('adaptiveAvgPool2d', () => {
  it('averages PyTorch’s overlapping bins where the size does not divide: 5×3 → 3×2, worked by hand', async () => {
    // x[h, w] = 10h + w. Rows 5 → 3: bins floor(i·5/3) … ceil((i+1)·5/3) − 1 = {0, 1}, {1, 2, 3}, {3, 4},
    // mean row 0.5, 2, 3.5. Columns 3 → 2: {0, 1}, {1, 2}, mean column 0.5, 1.5. A bin's mean is 10·(mean row) + (mean column).
    const x = Array.from({ length: 15 }, (_, i) => 10 * Math.floor(i / 3) + (i % 3));
    const result = await pooled(x, [1, 5, 3, 1], [3, 2]);
    expect(result.shape).toEqual([1, 3, 2, 1]);
    expectClose(result.values, [5.5, 6.5, 20.5, 21.5, 35.5, 36.5]);
  });

  it('repeats rows when the output is larger (2 → 4: bins {0}, {0}, {1}, {1}) and shares the middle row 3 → 2', async () => {
    expect((await pooled([1, 3], [1, 2, 1, 1], [4, 1])).values).toEqual([1, 1, 3, 3]);
    // Rows 3 → 2: bins {0, 1} and {1, 2}: (1 + 4) / 2, (4 + 9) / 2.
    expectClose((await pooled([1, 4, 9], [1, 3, 1, 1], [2, 1])).values, [2.5, 6.5]);
  });

  it('takes the bin-weight path to a 2×2 average pool with stride 2 where the size divides, channel by channel and example by example', async () => {
    const input = tf.randomNormal([2, 4, 6, 3], 0, 1, 'float32', 11);
    const [ours, reference] = await expectNoLeaks(async () => {
      const results = tf.tidy(() => [
        adaptiveAvgPool2dByBinWeights(input as tf.Tensor4D, [2, 3]),
        tf.avgPool(input as tf.Tensor4D, 2, 2, 'valid'),
      ]);
      const values = await Promise.all(results.map(async (result) => Array.from(await result.data())));
      tf.dispose(results);
      return values;
    });
    expectClose(ours as number[], reference as number[]);
    input.dispose();
  });

  it('matches PyTorch on a 7×5 map with two channels pooled to 4×3', async () => {
    const x = Array.from({ length: 70 }, (_, i) => Math.sin(i + 1));
    // From PyTorch 1.13 in float64: F.adaptive_avg_pool2d(x.permute(0, 3, 1, 2), (4, 3)).permute(0, 2, 3, 1) with the
    // NHWC values x = sin(index + 1), rounded to 6 decimals.
    const expected = [
      0.100692, 0.151632, -0.008627, -0.015857, 0.064396, 0.151824, 0.001081, 0.103352, 0.001672, -0.009636, -0.033087, 0.081052,
      0.111939, 0.101588, -0.010752, -0.011395, 0.09383, 0.116486, 0.066848, 0.152171, -0.004833, -0.01532, 0.025649, 0.141006,
    ];
    const result = await pooled(x, [1, 7, 5, 2], [4, 3]);
    expect(result.shape).toEqual([1, 4, 3, 2]);
    expectClose(result.values, expected, 5);
  });

  it('passes each output’s gradient back, divided by its bin size, to every input of the bin', async () => {
    // Rows 3 → 2, bins {0, 1} and {1, 2}: d Σ_i w_i·pool_i / dx = [w₀/2, w₀/2 + w₁/2, w₁/2] with w = [2, 6].
    const gradient = await expectNoLeaks(async () => {
      const x = tf.tensor4d([1, 4, 9], [1, 3, 1, 1]);
      const weights = tf.tensor4d([2, 6], [1, 2, 1, 1]);
      const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(adaptiveAvgPool2d(input as tf.Tensor4D, [2, 1]), weights)))(x);
      const values = Array.from(await grad.data());
      tf.dispose([x, weights, grad]);
      return values;
    });
    expectClose(gradient, [1, 4, 3]);
  });

  it('averages the tiles where the size divides: 4×2 → 2×1, worked by hand, and spreads the gradient evenly over each tile', async () => {
    // Rows 4 → 2 and columns 2 → 1: tiles of rows {0, 1} and {2, 3} by both columns.
    // x = [[1, 2], [3, 4], [5, 6], [7, 8]]: (1 + 2 + 3 + 4) / 4 = 2.5 and (5 + 6 + 7 + 8) / 4 = 6.5.
    expectClose((await pooled([1, 2, 3, 4, 5, 6, 7, 8], [1, 4, 2, 1], [2, 1])).values, [2.5, 6.5]);
    // d (2·pool₀ + 8·pool₁) / dx: 2/4 on the first tile's four inputs, 8/4 on the second's.
    const gradient = await expectNoLeaks(async () => {
      const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 4, 2, 1]);
      const weights = tf.tensor4d([2, 8], [1, 2, 1, 1]);
      const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(adaptiveAvgPool2d(input as tf.Tensor4D, [2, 1]), weights)))(x);
      const values = Array.from(await grad.data());
      tf.dispose([x, weights, grad]);
      return values;
    });
    expect(gradient).toEqual([0.5, 0.5, 0.5, 0.5, 2, 2, 2, 2]);
  });

  it.each([
    { shape: [2, 8, 8, 3], size: [4, 4] },
    { shape: [2, 8, 8, 3], size: [1, 1] },
    { shape: [1, 16, 8, 2], size: [8, 2] },
    { shape: [3, 6, 9, 2], size: [3, 3] },
    { shape: [2, 32, 32, 4], size: [4, 4] },
    { shape: [2, 4, 4, 1], size: [4, 4] },
  ] as { shape: [number, number, number, number]; size: [number, number] }[])(
    'gives the bin-weight path’s values and gradients where the size divides: $shape → $size',
    async ({ shape, size }) => {
      const input = tf.randomNormal(shape, 0, 1, 'float32', 5) as tf.Tensor4D;
      const upstream = tf.randomNormal([shape[0], size[0], size[1], shape[3]], 0, 1, 'float32', 6);
      const [fast, general] = await expectNoLeaks(async () =>
        Promise.all(
          [adaptiveAvgPool2d, adaptiveAvgPool2dByBinWeights].map(async (pool) => {
            const value = pool(input, size);
            const gradient = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(pool(x as tf.Tensor4D, size), upstream)))(input);
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
      expect(fast?.shape).toEqual([shape[0], size[0], size[1], shape[3]]);
      expect(fast?.shape).toEqual(general?.shape);
      // Float32 rounding apart: the pool sums and divides, the products add values weighted by 1/n.
      expectClose(fast?.value ?? [], general?.value ?? [], 6);
      expectClose(fast?.gradient ?? [], general?.gradient ?? [], 6);
    },
  );

  it('refuses an output size that is not two positive integers', () => {
    const input = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => adaptiveAvgPool2d(input, [0, 2])).toThrow(DistilleryError);
    expect(() => adaptiveAvgPool2d(input, [2, 1.5])).toThrow(
      'adaptiveAvgPool2d: the output size must be two positive integers, got [2, 1.5]',
    );
    input.dispose();
  });
});
