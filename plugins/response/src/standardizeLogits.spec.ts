import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { standardizeLogits } from './standardizeLogits.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function standardized(rows: number[][]): Promise<number[][]> {
  return expectNoLeaks(async () => {
    const result = tf.tidy(() => standardizeLogits(tf.tensor2d(rows)));
    const values = (await result.array()) as number[][];
    result.dispose();
    return values;
  });
}

function expectRowsClose(actual: number[][], expected: number[][], digits = 5): void {
  for (const [b, row] of actual.entries()) {
    for (const [c, value] of row.entries()) expect(value).toBeCloseTo((expected[b] as number[])[c] as number, digits);
  }
}

describe('standardizeLogits', () => {
  it('z-scores each row with the unbiased (n − 1) standard deviation', async () => {
    // [1, 2, 3]: mean 2, unbiased variance (1 + 0 + 1)/2 = 1 → [−1, 0, 1] (the biased std √(2/3) would give ±1.22).
    // [0, 0, 4]: mean 4/3, deviations [−4/3, −4/3, 8/3], variance (16 + 16 + 64)/9 / 2 = 16/3, std 4/√3
    //   → [−1/√3, −1/√3, 2/√3].
    const r3 = Math.sqrt(3);
    expectRowsClose(
      await standardized([
        [1, 2, 3],
        [0, 0, 4],
      ]),
      [
        [-1, 0, 1],
        [-1 / r3, -1 / r3, 2 / r3],
      ],
    );
  });

  it('ignores a per-row shift and positive scale', async () => {
    const rows = [
      [0.3, -1.2, 2.0, 0.5],
      [4.0, 1.0, -2.0, 0.0],
    ];
    const moved = rows.map((row, b) => row.map((z) => (b + 2) * 7 * z - 5 * b));
    expectRowsClose(await standardized(moved), await standardized(rows));
  });

  it('maps a constant row to zeros with a finite gradient', async () => {
    expectRowsClose(await standardized([[5, 5, 5]]), [[0, 0, 0]]);
    const gradient = await expectNoLeaks(async () => {
      const grads = tf.tidy(() =>
        tf.grad((logits: tf.Tensor) => tf.sum(tf.mul(standardizeLogits(logits as tf.Tensor2D), tf.tensor2d([[1, 2, 3]]))))(
          tf.fill([1, 3], 5),
        ),
      );
      const values = await grads.data();
      grads.dispose();
      return Array.from(values);
    });
    expect(gradient.every(Number.isFinite)).toBe(true);
  });

  it('rejects logits that are not [B, C] with C ≥ 2', () => {
    expect(() => tf.tidy(() => standardizeLogits(tf.zeros([4, 1]) as tf.Tensor2D))).toThrow(DistilleryError);
    expect(() => tf.tidy(() => standardizeLogits(tf.zeros([4, 1]) as tf.Tensor2D))).toThrow(
      'standardizeLogits: expected logits of shape [B, C] with C ≥ 2, got [4, 1]',
    );
    expect(() => tf.tidy(() => standardizeLogits(tf.zeros([4]) as tf.Tensor as tf.Tensor2D))).toThrow('got [4]');
  });
});
