import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RelationReduction } from './RelationReduction.js';
import {
  callOnZeros,
  equilateralTriangle,
  type FeatureInput,
  fixtureStudent,
  fixtureStudentMaps,
  fixtureTeacher,
  fixtureTeacherMaps,
  relationValues,
  rightTriangle,
  studentGradient,
} from './relationLossTestKit.js';
import { rkdTerms } from './rkdTerms.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Both terms of `rkdTerms` on plain arrays, as plain numbers; checks that nothing leaks and the inputs survive. */
const termsOf = (student: FeatureInput, teacher: FeatureInput, reduction: RelationReduction = 'mean') =>
  relationValues((s, t) => rkdTerms(s, t, { reduction }), student, teacher);

/** ∂(distance + angle)/∂student as plain numbers, after checking nothing leaks. */
const gradientOf = (student: number[][], teacher: number[][]) =>
  studentGradient(
    (s, t) => {
      const { distance, angle } = rkdTerms(s, t);
      return tf.add(distance, angle);
    },
    student,
    teacher,
  );

describe('rkdTerms', () => {
  it('compares distances over their mean and vertex cosines, worked by hand on two triangles', async () => {
    // Distances: student 3, 4, 5 (each twice off the diagonal), mean 24/6 = 4 → ψ = 3/4, 1, 5/4; teacher all 2 → ψ = 1.
    //   Off-diagonal differences ∓1/4 (four entries) and 0 (two); smooth L1 of 1/4 is (1/4)²/2 = 1/32.
    //   distance = 4 · (1/32) / 9 = 1/72; rows: A (to B: 1/32, to C: 0) 1/96, B (both 1/32) 1/48, C 1/96.
    // Angles: ψ_A[i, j, k] is 1 when j = k ≠ i, 0 when j or k is i, on both sides; only the two triplets per vertex
    //   with j ≠ k differ, by cos(student's angle at i) − cos 60° = cos − 1/2:
    //   A: 0 − 1/2 → 1/8;  B: cos = (3·3)/(3·5) = 3/5, 1/10 → 1/200;  C: cos = (4·4)/(4·5) = 4/5, 3/10 → 9/200.
    //   angle = 2 · (1/8 + 1/200 + 9/200) / 27 = (7/20) / 27 = 7/540; vertex shares 2·(…)/9 = 1/36, 1/900, 1/100.
    const mean = await termsOf(rightTriangle, equilateralTriangle);
    expect(mean.distance[0]).toBeCloseTo(1 / 72, 6);
    expect(mean.angle[0]).toBeCloseTo(7 / 540, 6);
    const shares = await termsOf(rightTriangle, equilateralTriangle, 'none');
    for (const [index, expected] of [1 / 96, 1 / 48, 1 / 96].entries()) expect(shares.distance[index]).toBeCloseTo(expected, 6);
    for (const [index, expected] of [1 / 36, 1 / 900, 1 / 100].entries()) expect(shares.angle[index]).toBeCloseTo(expected, 6);
  });

  it('matches a float64 PyTorch computation of the reference formulas, for features of different sizes', async () => {
    // From fixtures/rkd-pkt-sp-fixtures.py (float64 PyTorch, RepDistiller's RKD formulas: pdist clamped at 1e-12 with a
    // zero diagonal, over the mean of its positive entries; F.normalize'd differences; smooth L1, β = 1):
    //   distance mean 0.0163312280, none [0.0086040007, 0.0109015445, 0.0236450884, 0.0221742786]
    //   angle    mean 0.0375778998, none [0.0428241098, 0.022955559, 0.0010546425, 0.0834772878]
    const mean = await termsOf(fixtureStudent, fixtureTeacher);
    expect(mean.distance[0]).toBeCloseTo(0.016331228, 6);
    expect(mean.angle[0]).toBeCloseTo(0.0375778998, 6);
    const shares = await termsOf(fixtureStudent, fixtureTeacher, 'none');
    const expectedDistance = [0.0086040007, 0.0109015445, 0.0236450884, 0.0221742786];
    const expectedAngle = [0.0428241098, 0.022955559, 0.0010546425, 0.0834772878];
    for (const [index, expected] of expectedDistance.entries()) expect(shares.distance[index]).toBeCloseTo(expected, 6);
    for (const [index, expected] of expectedAngle.entries()) expect(shares.angle[index]).toBeCloseTo(expected, 6);
  });

  it("gives per-example shares whose mean is the 'mean' value", async () => {
    const mean = await termsOf(fixtureStudent, fixtureTeacher);
    const shares = await termsOf(fixtureStudent, fixtureTeacher, 'none');
    const average = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(shares.distance).toHaveLength(4);
    expect(average(shares.distance)).toBeCloseTo(mean.distance[0] as number, 7);
    expect(average(shares.angle)).toBeCloseTo(mean.angle[0] as number, 7);
  });

  it('is zero when the teacher is the student rotated, scaled and shifted (both terms are similarity-invariant)', async () => {
    // Rotate by 30°, scale by 3 and shift by (5, −2): distances scale by 3 (undone by the mean), unit differences rotate.
    const [cos, sin] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
    const points = [
      [0.3, -1.2],
      [2.0, 0.4],
      [-0.7, 0.9],
      [1.1, 1.5],
    ];
    const moved = points.map(([x = 0, y = 0]) => [3 * (cos * x - sin * y) + 5, 3 * (sin * x + cos * y) - 2]);
    const terms = await termsOf(points, moved);
    expect(terms.distance[0]).toBeCloseTo(0, 6);
    expect(terms.angle[0]).toBeCloseTo(0, 6);
    // The scale is what the distance term ignores; stretching one axis is not, so that is not zero.
    const stretched = await termsOf(
      points,
      points.map(([x = 0, y = 0]) => [3 * x, y]),
    );
    expect(stretched.distance[0]).toBeGreaterThan(1e-3);
  });

  it('gives zero, with zero gradients, for a batch of one example (where the reference divides by an empty mean)', async () => {
    const terms = await termsOf([[0.5, -1.0, 2.0]], [[1.0, 3.0]]);
    expect(terms).toEqual({ distance: [0], angle: [0] });
    expect(await gradientOf([[0.5, -1.0, 2.0]], [[1.0, 3.0]])).toEqual([0, 0, 0]);
  });

  it('keeps values and gradients finite when student examples coincide', async () => {
    const teacher = [
      [1.0, 0.0],
      [0.0, 2.0],
      [-1.0, 0.5],
    ];
    const twoEqual = [
      [0.4, -0.3, 1.2],
      [0.4, -0.3, 1.2],
      [-1.0, 0.8, 0.1],
    ];
    const allEqual = [
      [0.4, -0.3, 1.2],
      [0.4, -0.3, 1.2],
      [0.4, -0.3, 1.2],
    ];
    for (const student of [twoEqual, allEqual]) {
      const terms = await termsOf(student, teacher);
      expect([...terms.distance, ...terms.angle].every(Number.isFinite)).toBe(true);
      const gradient = await gradientOf(student, teacher);
      expect(gradient.every(Number.isFinite)).toBe(true);
    }
    // All student points equal: every distance is the floor √1e-12, ψ_D = 1 off the diagonal (as in the reference),
    // and every direction is 0, so only the teacher's angles (whose smooth-L1 is ℓ(ψ_A(t))) remain.
    const allEqualTerms = await termsOf(allEqual, teacher);
    expect(allEqualTerms.angle[0]).toBeGreaterThan(0);
  });

  it('flattens rank-4 features per example, as the rank-2 call on the flattened rows', async () => {
    const flat = await termsOf(fixtureStudent, fixtureTeacher, 'none');
    const maps = await termsOf(fixtureStudentMaps, fixtureTeacherMaps, 'none');
    for (const [index, value] of flat.distance.entries()) expect(maps.distance[index]).toBeCloseTo(value, 7);
    for (const [index, value] of flat.angle.entries()) expect(maps.angle[index]).toBeCloseTo(value, 7);
  });

  it('rejects features without a batch axis, different batches and an unknown reduction in one line', async () => {
    const run = callOnZeros(rkdTerms);
    await expectNoLeaks(() => {
      expect(run([3], [3, 2])).toThrow(DistilleryError);
      expect(run([3], [3, 2])).toThrow(
        'rkdTerms: expected features of shape [B, …] (rank ≥ 2), got student [3] and teacher [3, 2]',
      );
      expect(run([3, 2], [4, 2])).toThrow(
        'rkdTerms: student and teacher features cover different batches, student [3, 2] and teacher [4, 2]',
      );
      expect(run([3, 2], [3, 2], { reduction: 'sum' as 'mean' })).toThrow(
        "rkdTerms: reduction must be 'mean' or 'none', got 'sum'",
      );
    });
  });
});
