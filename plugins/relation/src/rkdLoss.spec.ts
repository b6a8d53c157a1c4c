import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  callOnZeros,
  centralDifferencesByRow,
  equilateralTriangle,
  expectMeanAndShares,
  type FeatureInput,
  fixtureStudent,
  fixtureTeacher,
  itGivesSharesWhoseMeanIsTheMean,
  reducedLossValues,
  relationValues,
  rightTriangle,
  studentGradient,
} from './relationLossTestKit.js';
import { rkdLoss } from './rkdLoss.js';
import { rkdTerms } from './rkdTerms.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type RkdOptions = { distanceWeight?: number; angleWeight?: number; reduction?: 'mean' | 'none' };

/** `rkdLoss` on plain arrays as plain numbers ([1] for 'mean', [B] for 'none'); checks nothing leaks, inputs survive. */
const lossOf = (student: FeatureInput, teacher: FeatureInput, options?: RkdOptions) =>
  relationValues((s, t) => rkdLoss(s, t, options), student, teacher);
/** The same with only the reduction set. */
const withReduction = reducedLossValues(rkdLoss);

/** An independent float64 RKD (loops over the definitions) for finite differences. */
function rkdReference(student: number[][], teacher: number[][], distanceWeight = 25, angleWeight = 50): number {
  const smoothL1 = (z: number) => (Math.abs(z) < 1 ? (z * z) / 2 : Math.abs(z) - 0.5);
  const potentials = (rows: number[][]) => {
    const difference = (i: number, j: number) => (rows[j] as number[]).map((v, d) => v - ((rows[i] as number[])[d] as number));
    const length = (v: number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
    const distances = rows.map((_, i) => rows.map((__, j) => (i === j ? 0 : Math.max(length(difference(i, j)), 1e-6))));
    const meanDistance = distances.flat().reduce((a, b) => a + b, 0) / (rows.length * (rows.length - 1));
    const unit = (i: number, j: number) => difference(i, j).map((x) => x / Math.max(length(difference(i, j)), 1e-12));
    const angles = rows.map((_, i) =>
      rows.map((__, j) => rows.map((___, k) => unit(i, j).reduce((sum, x, d) => sum + x * (unit(i, k)[d] as number), 0))),
    );
    return { distances: distances.flat().map((d) => d / meanDistance), angles: angles.flat(2) };
  };
  const [s, t] = [potentials(student), potentials(teacher)];
  const meanSmoothL1 = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + smoothL1(x - (b[i] as number)), 0) / a.length;
  return distanceWeight * meanSmoothL1(s.distances, t.distances) + angleWeight * meanSmoothL1(s.angles, t.angles);
}

describe('rkdLoss', () => {
  it('is 25 · distance + 50 · angle = 215/216 on a right triangle against an equilateral one (by hand)', async () => {
    // Student (0, 0), (3, 0), (0, 4); teacher equilateral of side 2. rkdTerms.spec works the terms out:
    // distance = 1/72, angle = 7/540, so 25/72 + 50 · 7/540 = 75/216 + 140/216 = 215/216; per vertex
    // 25 · [1/96, 1/48, 1/96] + 50 · [1/36, 1/900, 1/100] = [1.6493…, 0.5763…, 0.7604…].
    const shares = [25 / 96 + 50 / 36, 25 / 48 + 50 / 900, 25 / 96 + 50 / 100];
    await expectMeanAndShares(withReduction, rightTriangle, equilateralTriangle, 215 / 216, shares, 5);
  });

  it('matches a float64 PyTorch computation of RepDistiller RKDLoss(25, 50), with 6 student and 3 teacher features', async () => {
    // From fixtures/rkd-pkt-sp-fixtures.py (float64 PyTorch, 25 · smooth L1 of the scaled distances + 50 · smooth L1 of
    // the angles): mean 2.2871756890, none [2.3563055056, 1.4203165644, 0.6438593332, 4.7282213527].
    const shares = [2.3563055056, 1.4203165644, 0.6438593332, 4.7282213527];
    await expectMeanAndShares(withReduction, fixtureStudent, fixtureTeacher, 2.287175689, shares, 5);
  });

  itGivesSharesWhoseMeanIsTheMean(withReduction, 6);

  it('weighs the terms of rkdTerms by distanceWeight and angleWeight', async () => {
    const {
      distance: [distance],
      angle: [angle],
    } = await relationValues((s, t) => rkdTerms(s, t), fixtureStudent, fixtureTeacher);
    const [weighted] = await lossOf(fixtureStudent, fixtureTeacher, { distanceWeight: 2, angleWeight: -3 });
    expect(weighted).toBeCloseTo(2 * (distance as number) - 3 * (angle as number), 6);
    const [distanceOnly] = await lossOf(fixtureStudent, fixtureTeacher, { angleWeight: 0 });
    expect(distanceOnly).toBeCloseTo(25 * (distance as number), 6);
  });

  it('is zero for a teacher that is a scaled, shifted copy of the student, and for a batch of one', async () => {
    const shifted = fixtureStudent.map((row) => row.map((value, index) => 4 * value + index));
    expect((await lossOf(fixtureStudent, shifted))[0]).toBeCloseTo(0, 5);
    expect(await lossOf([[1, 2, 3]], [[-4, 0.5]], { reduction: 'none' })).toEqual([0]);
  });

  it('has the gradient of finite differences with respect to the student features', async () => {
    const student = fixtureStudent.map((row) => row.slice(0, 4));
    const expected = centralDifferencesByRow((rows) => rkdReference(rows, fixtureTeacher), student, 1e-6);
    const gradient = await studentGradient((s, t) => rkdLoss(s, t), student, fixtureTeacher);
    expect(expected.some((value) => Math.abs(value) > 0.1)).toBe(true);
    for (const [index, value] of gradient.entries()) {
      expect(Math.abs(value - (expected[index] as number))).toBeLessThan(1e-4 * Math.max(1, Math.abs(expected[index] as number)));
    }
  });

  it('rejects bad features, weights and reductions in one line', async () => {
    const run = callOnZeros(rkdLoss);
    await expectNoLeaks(() => {
      expect(run([2, 3], [3, 3])).toThrow(DistilleryError);
      expect(run([2, 3], [3, 3])).toThrow(
        'rkdLoss: student and teacher features cover different batches, student [2, 3] and teacher [3, 3]',
      );
      expect(run([2, 3], [2])).toThrow(
        'rkdLoss: expected features of shape [B, …] (rank ≥ 2), got student [2, 3] and teacher [2]',
      );
      expect(run([2, 3], [2, 3], { angleWeight: Number.NaN })).toThrow('rkdLoss: angleWeight must be a finite number, got NaN');
      expect(run([2, 3], [2, 3], { reduction: 'sum' as 'mean' })).toThrow(
        "rkdLoss: reduction must be 'mean' or 'none', got 'sum'",
      );
    });
  });
});
