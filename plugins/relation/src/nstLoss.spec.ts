import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { nstLoss } from './nstLoss.js';
import type { RelationReduction } from './RelationReduction.js';
import {
  centralDifferences,
  type FeatureValues,
  relationValues,
  type Shape4,
  studentGradient,
  wave,
  waveFeatures,
} from './relationLossTestKit.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** NST on flat NHWC values as plain numbers ([1] for 'mean', [B] for 'none'); checks nothing leaks, inputs survive. */
const nstValues = (student: FeatureValues<Shape4>, teacher: FeatureValues<Shape4>, reduction: RelationReduction = 'mean') =>
  relationValues((s, t) => nstLoss(s, t, { reduction }), student, teacher);

/** An independent float64 NST on NHWC values, for finite differences: per example, from the formula. */
function nstReference(student: number[], studentShape: Shape4, teacher: number[], teacherShape: Shape4): number[] {
  const channelMaps = (values: number[], [batch, height, width, channels]: Shape4) =>
    Array.from({ length: batch }, (_, b) =>
      Array.from({ length: channels }, (_, c) => {
        const map = Array.from({ length: height * width }, (_, p) => values[(b * height * width + p) * channels + c] as number);
        const norm = Math.max(Math.sqrt(map.reduce((sum, v) => sum + v * v, 0)), 1e-12);
        return map.map((v) => v / norm);
      }),
    );
  const meanKernel = (a: number[][], b: number[][]) => {
    let total = 0;
    for (const x of a) for (const y of b) total += x.reduce((sum, v, p) => sum + v * (y[p] as number), 0) ** 2;
    return total / (a.length * b.length);
  };
  const [s, t] = [channelMaps(student, studentShape), channelMaps(teacher, teacherShape)];
  return s.map((sb, b) => {
    const tb = t[b] as number[][];
    return meanKernel(tb, tb) + meanKernel(sb, sb) - 2 * meanKernel(sb, tb);
  });
}

const fixtureStudent = waveFeatures<Shape4>([2, 3, 3, 4], 0.1);
const fixtureTeacher = waveFeatures<Shape4>([2, 3, 3, 5], 1.0);

describe('nstLoss', () => {
  it('gives 1/2 on a one-example 1×2 map worked by hand', async () => {
    // Student channel maps (over the 2 positions) (3, 0) and (0, −2) normalise to e1 and −e2; the teacher's one
    // channel (5, 5) to u = (1, 1)/√2.
    //   k(t, t) = 1                              → mean 1
    //   k(s, s) = [[1, 0], [0, 1]]               → mean 1/2
    //   k(s, t) = (1/√2)², ((−1)/√2)² = 1/2, 1/2 → mean 1/2
    //   NST = 1 + 1/2 − 2 · 1/2 = 1/2
    const student = { values: [3, 0, 0, -2], shape: [1, 1, 2, 2] as Shape4 };
    const teacher = { values: [5, 5], shape: [1, 1, 2, 1] as Shape4 };
    const [value] = await nstValues(student, teacher);
    expect(value).toBeCloseTo(0.5, 6);
  });

  it("gives each example's MMD² with reduction 'none', and their mean with 'mean'", async () => {
    // Example 0 is the case above (1/2). In example 1 both student maps, (1, 1) and (2, 2), normalise to the
    // teacher's u, so every kernel value is 1 and NST = 1 + 1 − 2 = 0. The batch mean is 1/4.
    const student = { values: [3, 0, 0, -2, 1, 2, 1, 2], shape: [2, 1, 2, 2] as Shape4 };
    const teacher = { values: [5, 5, 5, 5], shape: [2, 1, 2, 1] as Shape4 };
    const perExample = await nstValues(student, teacher, 'none');
    expect(perExample).toHaveLength(2);
    expect(perExample[0]).toBeCloseTo(0.5, 6);
    expect(perExample[1]).toBeCloseTo(0, 6);
    const [mean] = await nstValues(student, teacher);
    expect(mean).toBeCloseTo(0.25, 6);
  });

  it('matches float64 PyTorch on a 2-example 3×3 map with 4 student and 5 teacher channels', async () => {
    // From fixtures/nst-fsp-cc-fixtures.py (Debian python3-torch, float64): NCHW maps, F.normalize(f.flatten(2), dim=2),
    // k = einsum('bih,bjh->bij')², per example k(t, t).mean() + k(s, s).mean() − 2 k(s, t).mean().
    const perExample = await nstValues(fixtureStudent, fixtureTeacher, 'none');
    expect(perExample[0]).toBeCloseTo(0.9385958192652978, 5);
    expect(perExample[1]).toBeCloseTo(0.9138792476420231, 5);
    const [mean] = await nstValues(fixtureStudent, fixtureTeacher);
    expect(mean).toBeCloseTo(0.9262375334536604, 5);
    // 'none' is each example's share: its mean is the scalar up to float rounding.
    expect(((perExample[0] as number) + (perExample[1] as number)) / 2).toBeCloseTo(mean as number, 6);
  });

  it('is zero when the student maps equal the teacher maps', async () => {
    const [value] = await nstValues(fixtureTeacher, fixtureTeacher);
    expect(value).toBeCloseTo(0, 6);
  });

  it('ignores the scale and sign of each channel map, the order of channels and a shared order of positions', async () => {
    const [batch, height, width] = fixtureStudent.shape;
    const positions = height * width;
    const positionOrder = Array.from({ length: positions }, (_, p) => (p * 4) % positions); // 4 is coprime with 9
    /** Output channel c of example b at position p = factor(b, c) × input channel channelOrder[c] at positionOrder[p]. */
    const rearrange = (values: number[], channels: number, channelOrder: number[], factor: (b: number, c: number) => number) =>
      Array.from({ length: batch * positions * channels }, (_, i) => {
        const [b, p, c] = [Math.floor(i / (positions * channels)), Math.floor(i / channels) % positions, i % channels];
        const source = (b * positions + (positionOrder[p] as number)) * channels + (channelOrder[c] as number);
        return (values[source] as number) * factor(b, c);
      });
    const studentFactors = [2.5, -0.3, 7, 0.01];
    const student = {
      values: rearrange(fixtureStudent.values, 4, [2, 0, 3, 1], (b, c) => (studentFactors[c] as number) * (b + 1)),
      shape: fixtureStudent.shape,
    };
    const teacher = { values: rearrange(fixtureTeacher.values, 5, [4, 3, 2, 1, 0], () => -3), shape: fixtureTeacher.shape };
    const original = await nstValues(fixtureStudent, fixtureTeacher, 'none');
    const transformed = await nstValues(student, teacher, 'none');
    for (const [b, value] of transformed.entries()) expect(value).toBeCloseTo(original[b] as number, 5);
  });

  it('has the gradient of finite differences, and a finite zero gradient on an all-zero channel map', async () => {
    const studentShape: Shape4 = [2, 2, 2, 3];
    const teacherShape: Shape4 = [2, 2, 2, 2];
    // Channel 1 of example 0 is all zero: F.normalize's eps maps it to 0, where the quadratic kernel is flat.
    const student = wave(studentShape, 0.6).map((v, i) => (i < 12 && i % 3 === 1 ? 0 : v));
    const teacher = wave(teacherShape, 2.1);
    const gradient = await studentGradient(
      (x, t) => nstLoss(x, t),
      { values: student, shape: studentShape },
      {
        values: teacher,
        shape: teacherShape,
      },
    );
    const mean = (values: number[]) => {
      const perExample = nstReference(values, studentShape, teacher, teacherShape);
      return perExample.reduce((a, b) => a + b, 0) / perExample.length;
    };
    const expected = centralDifferences(mean, student, 1e-5);
    for (const [i, value] of gradient.entries()) {
      expect(Number.isFinite(value)).toBe(true);
      if (i < 12 && i % 3 === 1) {
        // The loss jumps when the dead map leaves zero (its direction appears from nowhere), so finite differences
        // say nothing here; PyTorch's autograd gives exactly 0, as the kernel's derivative at a zero map is 0.
        expect(value).toBe(0);
        continue;
      }
      expect(value).toBeCloseTo(expected[i] as number, 4);
    }
  });

  it('rejects maps that are not NHWC, differ in spatial size or batch, and an unknown reduction', () => {
    const run =
      (studentShape: number[], teacherShape: number[], reduction: string = 'mean') =>
      () =>
        tf.tidy(() => nstLoss(tf.ones(studentShape), tf.ones(teacherShape), { reduction: reduction as RelationReduction }));
    expect(run([2, 4, 4, 3], [2, 2, 2, 5])).toThrow(DistilleryError);
    expect(run([2, 4, 4, 3], [2, 2, 2, 5])).toThrow(
      'nstLoss: student [2, 4, 4, 3] and teacher [2, 2, 2, 5] differ in spatial size; resize them to one H×W first',
    );
    expect(run([2, 4, 4, 3], [2, 4, 3, 3])).toThrow(
      'nstLoss: student [2, 4, 4, 3] and teacher [2, 4, 3, 3] differ in spatial size; resize them to one H×W first',
    );
    expect(run([2, 16], [2, 16])).toThrow(
      'nstLoss: expected NHWC feature maps [B, H, W, C], got student [2, 16] and teacher [2, 16]',
    );
    expect(run([2, 4, 4, 3], [3, 4, 4, 3])).toThrow(
      'nstLoss: student and teacher features cover different batches, student [2, 4, 4, 3] and teacher [3, 4, 4, 3]',
    );
    expect(run([2, 4, 4, 3], [2, 4, 4, 3], 'sum')).toThrow("nstLoss: reduction must be 'mean' or 'none', got 'sum'");
  });
});
