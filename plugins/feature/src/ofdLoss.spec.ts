import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ofdLoss } from './ofdLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Two examples, three channels, worked by hand below.
const margin = [-1, -0.5, -2];
const target = [
  [-3, 0.5, -1],
  [-0.2, -2, 0],
];
const source = [
  [-0.5, 1.5, -1.5],
  [0.3, -0.7, -1],
];

/** ofdLoss on plain arrays, as numbers; every tensor is freed. */
function lossOf(s: number[][], t: number[][], m: number[], reduction: 'mean' | 'none' = 'mean'): number[] {
  return tf.tidy(() => Array.from(ofdLoss(tf.tensor2d(s), tf.tensor2d(t), tf.tensor1d(m), { reduction }).dataSync()));
}

describe('ofdLoss', () => {
  it('raises the target to the margin and counts an element only where s > t̂ or t̂ > 0, by hand', async () => {
    // t̂ = max(t, m) = [[−1, 0.5, −1], [−0.2, −0.5, 0]].
    // Example 0: (−0.5 − (−1))² = 0.25 (s above a raised target: counted, against t = −3 it would be 6.25);
    //            (1.5 − 0.5)² = 1 (positive target: always counted); s = −1.5 below t̂ = −1 ≤ 0: free, 0.  Sum 1.25.
    // Example 1: (0.3 − (−0.2))² = 0.25; s = −0.7 below t̂ = −0.5: 0; t̂ = 0 is not > 0 and s = −1 is below it: 0. Sum 0.25.
    // 'mean': (1.25 + 0.25) / 2 = 0.75, the summed distance over the batch size.
    const [perExample, mean] = await expectNoLeaks(() => [
      lossOf(source, target, margin, 'none'),
      lossOf(source, target, margin),
    ]);
    expect(perExample?.[0]).toBeCloseTo(1.25, 6);
    expect(perExample?.[1]).toBeCloseTo(0.25, 6);
    expect(mean?.[0]).toBeCloseTo(0.75, 6);
  });

  it('leaves s = t̂ ≤ 0 out, and counts every element above a positive target both ways', () => {
    // s equal to a non-positive raised target: neither s > t̂ nor t̂ > 0 → 0. Positive target 2: (1 − 2)² + (3 − 2)² = 2.
    expect(lossOf([[-1, -0.4]], [[-5, -0.4]], [-1, -1])[0]).toBe(0);
    expect(lossOf([[1, 3]], [[2, 2]], [-1, -1])[0]).toBeCloseTo(2, 6);
  });

  it('takes NHWC maps with the margin on the last axis, summing each example over H, W and C', () => {
    const value = tf.tidy(() =>
      Array.from(
        ofdLoss(tf.tensor4d(source.flat(), [2, 1, 1, 3]), tf.tensor4d(target.flat(), [2, 1, 1, 3]), tf.tensor1d(margin), {
          reduction: 'none',
        }).dataSync(),
      ),
    );
    expect(value[0]).toBeCloseTo(1.25, 6);
    expect(value[1]).toBeCloseTo(0.25, 6);
    // The same two examples as one 2×1 map each: the sums add.
    const map = tf.tidy(() =>
      ofdLoss(tf.tensor4d(source.flat(), [1, 2, 1, 3]), tf.tensor4d(target.flat(), [1, 2, 1, 3]), tf.tensor1d(margin)).dataSync(),
    );
    expect(map[0]).toBeCloseTo(1.5, 6);
  });

  it('has gradient 2(s − t̂)/B where an element counts and 0 elsewhere, as central differences give', async () => {
    // 2 × 2 × 2 × 3 map, values kept ≥ 0.05 away from every kink (s = t̂), so a difference with h = 1e-2 is exact.
    const shape = [2, 2, 2, 3];
    const count = 24;
    const t = Array.from({ length: count }, (_, i) => Math.sin(1.7 * i) * 2);
    const m = [-0.6, -1.2, -0.3];
    const raised = t.map((value, i) => Math.max(value, m[i % 3] as number));
    const s = raised.map((value, i) => value + (i % 4 === 0 ? -0.4 : 0.3) * (1 + (i % 3)));
    const lossAt = (values: number[]) =>
      tf.tidy(() => ofdLoss(tf.tensor(values, shape), tf.tensor(t, shape), tf.tensor1d(m)).dataSync()[0] as number);
    const gradient = await expectNoLeaks(() =>
      tf.tidy(() => {
        const targetTensor = tf.tensor(t, shape);
        const marginTensor = tf.tensor1d(m);
        return Array.from(
          tf
            .grad((x: tf.Tensor) => ofdLoss(x, targetTensor, marginTensor))(tf.tensor(s, shape))
            .dataSync(),
        );
      }),
    );
    const h = 1e-2;
    for (let i = 0; i < count; i++) {
      const plus = [...s];
      const minus = [...s];
      plus[i] = (plus[i] as number) + h;
      minus[i] = (minus[i] as number) - h;
      const numeric = (lossAt(plus) - lossAt(minus)) / (2 * h);
      expect(gradient[i]).toBeCloseTo(numeric, 3);
      const counts = (s[i] as number) > (raised[i] as number) || (raised[i] as number) > 0;
      expect(gradient[i]).toBeCloseTo(counts ? (2 * ((s[i] as number) - (raised[i] as number))) / 2 : 0, 5);
    }
    // Both kinds occur: some elements are free, some counted.
    expect(gradient.some((value) => value === 0)).toBe(true);
    expect(gradient.filter((value) => value !== 0).length).toBeGreaterThan(8);
  });

  it('refuses mismatched shapes, a margin of the wrong length, a missing channel axis and an unknown reduction', () => {
    tf.tidy(() => {
      const s = tf.zeros([2, 3]);
      expect(() => ofdLoss(s, tf.zeros([2, 4]), tf.zeros([3]))).toThrow(
        'ofdLoss: source [2, 3] and target [2, 4] differ in shape',
      );
      expect(() => ofdLoss(s, tf.zeros([2, 3]), tf.zeros([4]))).toThrow(
        'ofdLoss: margin [4] must be [3], one per channel (last axis) of the target [2, 3]',
      );
      expect(() => ofdLoss(tf.zeros([3]), tf.zeros([3]), tf.zeros([3]))).toThrow(
        'ofdLoss: the features need a batch axis and a channel axis [B, …, C], got source [3] and target [3]',
      );
      expect(() => ofdLoss(s, tf.zeros([2, 3]), tf.zeros([3]), { reduction: 'sum' as 'mean' })).toThrow(DistilleryError);
    });
  });
});
