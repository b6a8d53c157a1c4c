import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
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
import { similarityPreservingLoss } from './similarityPreservingLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** `similarityPreservingLoss` on plain arrays as plain numbers ([1] for 'mean', [B] for 'none'); checks nothing leaks, inputs survive. */
const lossOf = reducedLossValues(similarityPreservingLoss);

/** ∂similarityPreservingLoss/∂student as plain numbers, after checking nothing leaks. */
const gradientOf = (student: number[][], teacher: number[][]) => studentGradient(similarityPreservingLoss, student, teacher);

/** An independent float64 similarity-preserving loss for finite differences. */
function similarityReference(student: number[][], teacher: number[][]): number {
  const gram = (rows: number[][]) =>
    rows.map((a) => {
      const row = rows.map((b) => a.reduce((sum, x, d) => sum + x * (b[d] as number), 0));
      const norm = Math.max(Math.sqrt(row.reduce((sum, g) => sum + g * g, 0)), 1e-12);
      return row.map((g) => g / norm);
    });
  const [gs, gt] = [gram(student).flat(), gram(teacher).flat()];
  return gt.reduce((sum, g, i) => sum + (g - (gs[i] as number)) ** 2, 0) / student.length ** 2;
}

describe('similarityPreservingLoss', () => {
  it('is Σ (G_t − G_s)² / B² of the row-normalised Gram matrices, worked by hand on a 2 × 2 batch', async () => {
    // Student rows [1, 0], [0, 1]: G_s = I, rows already unit. Teacher rows [1, 0], [1, 0]: G_t = 1 everywhere,
    // each row [1, 1]/√2. G_t − G_s = [[1/√2 − 1, 1/√2], [1/√2, 1/√2 − 1]]; each row's squares sum to
    // (1 − 1/√2)² + 1/2 = 2 − √2, so SP = 2 (2 − √2) / 4 = 1 − √2/2 ≈ 0.292893, and each row's share (2 − √2)/2 is the same.
    const student = [
      [1, 0],
      [0, 1],
    ];
    const teacher = [
      [1, 0],
      [1, 0],
    ];
    const value = 1 - Math.SQRT2 / 2;
    await expectMeanAndShares(lossOf, student, teacher, value, [value, value], 6);
  });

  it('matches a float64 PyTorch computation of the reference formula, with 6 student and 3 teacher features', async () => {
    // From fixtures/rkd-pkt-sp-fixtures.py (float64 PyTorch, RepDistiller Similarity.similarity_loss: F.normalize'd
    // Gram matrices, squared difference summed over B²): mean 0.0599423138,
    // none (row sums / B) [0.0560735833, 0.0089686208, 0.0721214953, 0.1026055558].
    const shares = [0.0560735833, 0.0089686208, 0.0721214953, 0.1026055558];
    await expectMeanAndShares(lossOf, fixtureStudent, fixtureTeacher, 0.0599423138, shares, 6);
  });

  itGivesSharesWhoseMeanIsTheMean(lossOf, 8);

  it('is zero for identical features and unchanged when a side is scaled by one constant, but not per example', async () => {
    expect((await lossOf(fixtureStudent, fixtureStudent))[0]).toBeCloseTo(0, 7);
    const scaled = (rows: number[][], factor: (b: number) => number) =>
      rows.map((row, b) => row.map((value) => value * factor(b)));
    // G scales by c², which each row's normalisation removes.
    expect(
      (
        await lossOf(
          scaled(fixtureStudent, () => 7),
          fixtureStudent,
        )
      )[0],
    ).toBeCloseTo(0, 7);
    const [original] = await lossOf(fixtureStudent, fixtureTeacher);
    expect(
      (
        await lossOf(
          scaled(fixtureStudent, () => 0.1),
          scaled(fixtureTeacher, () => 20),
        )
      )[0],
    ).toBeCloseTo(original as number, 6);
    // Scaling example b by c_b scales G_bj by c_b c_j; the row normalisation removes c_b but not c_j.
    expect(
      (
        await lossOf(
          scaled(fixtureStudent, (b) => b + 1),
          fixtureStudent,
        )
      )[0],
    ).toBeGreaterThan(1e-2);
  });

  itHandlesDegenerateBatches('G', lossOf, gradientOf);

  it('has the gradient of finite differences with respect to the student features', async () => {
    const expected = centralDifferencesByRow((student) => similarityReference(student, fixtureTeacher), fixtureStudent, 1e-6);
    const gradient = await gradientOf(fixtureStudent, fixtureTeacher);
    expect(expected.some((value) => Math.abs(value) > 1e-2)).toBe(true);
    for (const [index, value] of gradient.entries()) expect(value).toBeCloseTo(expected[index] as number, 5);
  });

  itFlattensRank4Features(lossOf, 8);

  it('rejects features without a batch axis, different batches and an unknown reduction in one line', async () => {
    const run = callOnZeros(similarityPreservingLoss);
    await expectNoLeaks(() => {
      expect(run([2, 5], [5])).toThrow(DistilleryError);
      expect(run([2, 5], [5])).toThrow(
        'similarityPreservingLoss: expected features of shape [B, …] (rank ≥ 2), got student [2, 5] and teacher [5]',
      );
      expect(run([2, 5], [3, 5])).toThrow(
        'similarityPreservingLoss: student and teacher features cover different batches, student [2, 5] and teacher [3, 5]',
      );
      expect(run([2, 5], [2, 5], { reduction: 'batchmean' as 'mean' })).toThrow(
        "similarityPreservingLoss: reduction must be 'mean' or 'none', got 'batchmean'",
      );
    });
  });
});
