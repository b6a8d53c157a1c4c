import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; tfjs-layers registers them all.
import '@tensorflow/tfjs-layers';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { attentionMap } from './attentionMap.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * A [1, 2, 2, 2] NHWC feature map, channels per position (row-major):
 *   (0,0): [1, 1]   (0,1): [2, 0]   (1,0): [0, -2]   (1,1): [2, -2]
 */
const handWorked = [
  [
    [
      [1, 1],
      [2, 0],
    ],
    [
      [0, -2],
      [2, -2],
    ],
  ],
];

/** The formula in plain numbers: normalize(mean_c |A|^p) per example, with F.normalize's eps 1e-12. */
function referenceAttentionMap(values: ArrayLike<number>, [batch, height, width, channels]: number[], p: number): number[][] {
  const positions = (height as number) * (width as number);
  const rows: number[][] = [];
  for (let b = 0; b < (batch as number); b++) {
    const row: number[] = [];
    for (let j = 0; j < positions; j++) {
      let sum = 0;
      for (let c = 0; c < (channels as number); c++) {
        sum += Math.abs(values[(b * positions + j) * (channels as number) + c] as number) ** p;
      }
      row.push(sum / (channels as number));
    }
    const norm = Math.max(Math.sqrt(row.reduce((total, value) => total + value * value, 0)), 1e-12);
    rows.push(row.map((value) => value / norm));
  }
  return rows;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i] as number, digits);
}

describe('attentionMap', () => {
  it('averages the squared activations over channels and L2-normalizes the flattened map (p = 2)', async () => {
    // mean_c A²: (1+1)/2 = 1, (4+0)/2 = 2, (0+4)/2 = 2, (4+4)/2 = 4 → Q = [1, 2, 2, 4]
    // ‖Q‖ = √(1 + 4 + 4 + 16) = 5 → at = [0.2, 0.4, 0.4, 0.8]
    const values = await expectNoLeaks(() => {
      const feature = tf.tensor4d(handWorked);
      const map = attentionMap(feature);
      const result = { shape: map.shape, values: Array.from(map.dataSync()) };
      tf.dispose([feature, map]);
      return result;
    });
    expect(values.shape).toEqual([1, 4]);
    expectClose(values.values, [0.2, 0.4, 0.4, 0.8]);
  });

  it('averages |A| instead when p = 1', async () => {
    // mean_c |A|: (1+1)/2 = 1, (2+0)/2 = 1, (0+2)/2 = 1, (2+2)/2 = 2 → Q = [1, 1, 1, 2]
    // ‖Q‖ = √(1 + 1 + 1 + 4) = √7 → at = [1, 1, 1, 2] / √7, unlike p = 2's [0.2, 0.4, 0.4, 0.8]
    const values = await expectNoLeaks(() => {
      const feature = tf.tensor4d(handWorked);
      const map = attentionMap(feature, { p: 1 });
      const result = Array.from(map.dataSync());
      tf.dispose([feature, map]);
      return result;
    });
    expectClose(values, [1 / Math.sqrt(7), 1 / Math.sqrt(7), 1 / Math.sqrt(7), 2 / Math.sqrt(7)]);
  });

  it('matches the formula in plain numbers for a random batch and p = 2, 1, 3', async () => {
    const shape = [3, 4, 5, 6];
    for (const p of [2, 1, 3]) {
      const { values, map } = await expectNoLeaks(() => {
        const feature = tf.randomNormal(shape, 0, 1, 'float32', 7);
        const attention = attentionMap(feature, { p });
        const result = { values: Array.from(feature.dataSync()), map: Array.from(attention.dataSync()) };
        tf.dispose([feature, attention]);
        return result;
      });
      expectClose(map, referenceAttentionMap(values, shape, p).flat());
    }
  });

  it('gives every example a map of unit L2 norm', async () => {
    const norms = await expectNoLeaks(() => {
      const feature = tf.randomNormal([4, 3, 3, 5], 0, 2, 'float32', 11);
      const map = attentionMap(feature);
      const rows = map.arraySync();
      tf.dispose([feature, map]);
      return rows.map((row) => Math.sqrt(row.reduce((total, value) => total + value * value, 0)));
    });
    expectClose(norms, [1, 1, 1, 1]);
  });

  it('does not depend on the channel count when all channels are copies of one', async () => {
    const [oneChannel, fiveChannels] = await expectNoLeaks(() => {
      const single = tf.randomNormal([2, 3, 3, 1], 0, 1, 'float32', 3);
      const copies = tf.tile(single, [1, 1, 1, 5]);
      const maps = [attentionMap(single), attentionMap(copies)];
      const result = maps.map((map) => Array.from(map.dataSync()));
      tf.dispose([single, copies, ...maps]);
      return result;
    });
    expectClose(fiveChannels as number[], oneChannel as number[]);
  });

  it('maps an all-zero feature map to zeros with a finite gradient, as F.normalize with eps does', async () => {
    const { map, gradient } = await expectNoLeaks(() => {
      const feature = tf.zeros([1, 2, 2, 3]);
      const attention = attentionMap(feature);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(attentionMap(x)))(feature);
      const result = { map: Array.from(attention.dataSync()), gradient: Array.from(grad.dataSync()) };
      tf.dispose([feature, attention, grad]);
      return result;
    });
    expect(map).toEqual([0, 0, 0, 0]);
    for (const value of gradient) expect(Number.isFinite(value)).toBe(true);
  });

  it('refuses a feature that is not NHWC', () => {
    const dense = tf.zeros([2, 8]);
    expect(() => attentionMap(dense)).toThrow(DistilleryError);
    expect(() => attentionMap(dense)).toThrow('attentionMap: expected an NHWC feature map [B, H, W, C], got [2, 8]');
    dense.dispose();
  });

  it('refuses p below 1', () => {
    const feature = tf.zeros([1, 2, 2, 1]);
    expect(() => attentionMap(feature, { p: 0.5 })).toThrow(/attentionMap: p must be a finite number ≥ 1.*got 0\.5/);
    feature.dispose();
  });
});
