import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hclLoss } from './hclLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Shape = [number, number, number, number];

/** hclLoss on plain values, as a number; checks for leaks. */
async function hcl(student: number[], teacher: number[], shape: Shape): Promise<number> {
  return expectNoLeaks(async () => {
    const fs = tf.tensor4d(student, shape);
    const ft = tf.tensor4d(teacher, shape);
    const loss = hclLoss(fs, ft);
    const [value] = await loss.data();
    tf.dispose([fs, ft, loss]);
    return value as number;
  });
}

const zeros = (length: number) => new Array<number>(length).fill(0);

describe('hclLoss', () => {
  it('is the plain MSE on 1×1 maps, where every pyramid level is skipped (l ≥ H)', async () => {
    // ((1 − 0)² + (3 − 0)²) / 2 = 5
    expect(await hcl([1, 3], [0, 0], [2, 1, 1, 1])).toBeCloseTo(5, 6);
  });

  it('adds only the 1×1 level, weighted ½, on a 2×2 map', async () => {
    // mse = (1 + 4 + 9 + 16) / 4 = 7.5; 4×4 and 2×2 skipped; 1×1: mean 2.5 → 6.25 · ½.
    // (7.5 + 3.125) / 1.5 = 7.083333…
    expect(await hcl([1, 2, 3, 4], zeros(4), [1, 2, 2, 1])).toBeCloseTo(10.625 / 1.5, 5);
  });

  it('weighs 2×2 by ½ and 1×1 by ¼ on a 4×4 map (the weight halves only on levels that are used)', async () => {
    // f_s[h, w] = h, f_t = 0. mse = (0 + 1 + 4 + 9) / 4 = 3.5. 2×2 pool: rows {0, 1} → 0.5, {2, 3} → 2.5,
    // mse (2·0.25 + 2·6.25) / 4 = 3.25. 1×1 pool: 1.5 → 2.25. (3.5 + ½·3.25 + ¼·2.25) / (1 + ½ + ¼) = 5.6875 / 1.75 = 3.25
    const rows = Array.from({ length: 16 }, (_, i) => Math.floor(i / 4));
    expect(await hcl(rows, zeros(16), [1, 4, 4, 1])).toBeCloseTo(3.25, 5);
  });

  it('matches the reference formula on a 5×5 map (all three levels, pooled over uneven bins) and on a 3×6 map', async () => {
    const values = (shape: Shape, of: (i: number) => number) =>
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => of(i));
    // From PyTorch 1.13 in float64, the reference's `hcl([fs], [ft])` with NHWC values fs = sin(i + 1), ft = cos(i / 2)
    // (permuted to NCHW): weights 1, ½, ¼, ⅛ over the MSE and the 4×4, 2×2, 1×1 pools on 5×5; 1, ½, ¼ (2×2, 1×1) on 3×6.
    const square: Shape = [2, 5, 5, 3];
    expect(
      await hcl(
        values(square, (i) => Math.sin(i + 1)),
        values(square, (i) => Math.cos(0.5 * i)),
        square,
      ),
    ).toBeCloseTo(0.5871968493216244, 5);
    const wide: Shape = [2, 3, 6, 2];
    expect(
      await hcl(
        values(wide, (i) => Math.sin(i + 1)),
        values(wide, (i) => Math.cos(0.5 * i)),
        wide,
      ),
    ).toBeCloseTo(0.6600421514047553, 5);
  });

  it('is 0 for equal maps', async () => {
    const map = Array.from({ length: 2 * 3 * 3 * 2 }, (_, i) => Math.sin(i));
    expect(await hcl(map, map, [2, 3, 3, 2])).toBe(0);
  });

  it('has the gradient of central finite differences (h = 1e-2) with respect to the student map', async () => {
    const shape: Shape = [1, 5, 3, 2];
    const student = Array.from({ length: 30 }, (_, i) => Math.sin(2 * i + 1));
    const teacher = Array.from({ length: 30 }, (_, i) => Math.cos(i));
    const analytic = await expectNoLeaks(async () => {
      const ft = tf.tensor4d(teacher, shape);
      const fs = tf.tensor4d(student, shape);
      const grad = tf.grad((x: tf.Tensor) => hclLoss(x as tf.Tensor4D, ft))(fs);
      const values = Array.from(await grad.data());
      tf.dispose([ft, fs, grad]);
      return values;
    });
    const h = 1e-2;
    for (const index of [0, 7, 16, 29]) {
      const plus = [...student];
      const minus = [...student];
      plus[index] = (plus[index] as number) + h;
      minus[index] = (minus[index] as number) - h;
      const numeric = ((await hcl(plus, teacher, shape)) - (await hcl(minus, teacher, shape))) / (2 * h);
      expect(analytic[index]).toBeCloseTo(numeric, 3);
    }
  });

  it('refuses maps of different shapes in one line', () => {
    const a = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    const b = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    expect(() => hclLoss(a, b)).toThrow(DistilleryError);
    expect(() => hclLoss(a, b)).toThrow('hclLoss: expected two NHWC maps of one shape, got [1, 4, 4, 2] and [1, 4, 4, 3]');
    tf.dispose([a, b]);
  });
});
