import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pktLoss } from './pktLoss.js';
import {
  callOnZeros,
  centralDifferencesByRow,
  expectMeanAndShares,
  fixtureStudent,
  fixtureTeacher,
  itFlattensRank4Features,
  itGivesSharesWhoseMeanIsTheMean,
  itHandlesDegenerateBatches,
  reducedLossValues,
  studentGradient,
} from './relationLossTestKit.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** `pktLoss` on plain arrays as plain numbers ([1] for 'mean', [B] for 'none'); checks nothing leaks, inputs survive. */
const lossOf = reducedLossValues(pktLoss);

/** ∂pktLoss/∂student as plain numbers, after checking nothing leaks. */
const gradientOf = (student: number[][], teacher: number[][]) => studentGradient(pktLoss, student, teacher);

/** An independent float64 PKT for finite differences. */
function pktReference(student: number[][], teacher: number[][]): number {
  const epsilon = 1e-7;
  const probabilities = (rows: number[][]) => {
    const unit = rows.map((row) => {
      const norm = Math.sqrt(row.reduce((sum, x) => sum + x * x, 0));
      return row.map((x) => x / (norm + epsilon));
    });
    const kernel = unit.map((a) => unit.map((b) => (a.reduce((sum, x, d) => sum + x * (b[d] as number), 0) + 1) / 2));
    return kernel.map((row) => row.map((k) => k / row.reduce((sum, x) => sum + x, 0)));
  };
  const [ps, pt] = [probabilities(student).flat(), probabilities(teacher).flat()];
  return pt.reduce((sum, p, i) => sum + p * Math.log((p + epsilon) / ((ps[i] as number) + epsilon)), 0) / pt.length;
}

describe('pktLoss', () => {
  it('is the mean of P_t · log(P_t / P_s) over the B × B entries, worked by hand on a 2 × 2 batch', async () => {
    // Student rows [2, 0], [0, 3] are orthogonal: cos = I, K = (cos + 1)/2 = [[1, 1/2], [1/2, 1]], P_s = [[2/3, 1/3], [1/3, 2/3]].
    // Teacher rows [1, 0], [5, 0] are parallel: K = 1 everywhere, P_t = 1/2 everywhere.
    // Each row: 1/2 · log((1/2)/(2/3)) + 1/2 · log((1/2)/(1/3)) = 1/2 · log(3/4 · 3/2) = 1/2 · log(9/8);
    // over the 4 entries: 2 · 1/2 · log(9/8) / 4 = log(9/8)/4 ≈ 0.029446; each row's share (1/2 · log(9/8))/2 is the same.
    const student = [
      [2, 0],
      [0, 3],
    ];
    const teacher = [
      [1, 0],
      [5, 0],
    ];
    const value = Math.log(9 / 8) / 4;
    await expectMeanAndShares(lossOf, student, teacher, value, [value, value], 6);
  });

  it('matches a float64 PyTorch computation of the reference formula, with 6 student and 3 teacher features', async () => {
    // From fixtures/rkd-pkt-sp-fixtures.py (float64 PyTorch, RepDistiller PKT.cosine_similarity_loss with eps = 1e-7):
    // mean 0.0162552551, none [0.0042401623, 0.0034200131, 0.0322658116, 0.0250950336].
    const shares = [0.0042401623, 0.0034200131, 0.0322658116, 0.0250950336];
    await expectMeanAndShares(lossOf, fixtureStudent, fixtureTeacher, 0.0162552551, shares, 6);
  });

  itGivesSharesWhoseMeanIsTheMean(lossOf, 8);

  it('is zero for identical features and unchanged when any example is scaled by a positive factor', async () => {
    expect((await lossOf(fixtureStudent, fixtureStudent))[0]).toBeCloseTo(0, 7);
    // Rows are normalised, so scaling example b by any c_b > 0 (on either side) changes nothing, up to the 1e-7.
    const factors = [0.5, 3, 10, 0.25];
    const rescaled = (rows: number[][]) => rows.map((row, b) => row.map((value) => value * (factors[b] as number)));
    const [original] = await lossOf(fixtureStudent, fixtureTeacher);
    expect((await lossOf(rescaled(fixtureStudent), rescaled(fixtureTeacher)))[0]).toBeCloseTo(original as number, 6);
    expect((await lossOf(rescaled(fixtureStudent), fixtureStudent))[0]).toBeCloseTo(0, 6);
  });

  itHandlesDegenerateBatches('P', lossOf, gradientOf);

  it('has the gradient of finite differences with respect to the student features', async () => {
    const expected = centralDifferencesByRow((student) => pktReference(student, fixtureTeacher), fixtureStudent, 1e-6);
    const gradient = await gradientOf(fixtureStudent, fixtureTeacher);
    expect(expected.some((value) => Math.abs(value) > 1e-3)).toBe(true);
    for (const [index, value] of gradient.entries()) expect(value).toBeCloseTo(expected[index] as number, 5);
  });

  itFlattensRank4Features(lossOf, 8);

  it('rejects features without a batch axis, different batches and an unknown reduction in one line', async () => {
    const run = callOnZeros(pktLoss);
    await expectNoLeaks(() => {
      expect(run([4], [4, 2])).toThrow(DistilleryError);
      expect(run([4], [4, 2])).toThrow(
        'pktLoss: expected features of shape [B, …] (rank ≥ 2), got student [4] and teacher [4, 2]',
      );
      expect(run([4, 2], [2, 2])).toThrow(
        'pktLoss: student and teacher features cover different batches, student [4, 2] and teacher [2, 2]',
      );
      expect(run([4, 2], [4, 2], { reduction: 'sum' as 'mean' })).toThrow(
        "pktLoss: reduction must be 'mean' or 'none', got 'sum'",
      );
    });
  });
});
