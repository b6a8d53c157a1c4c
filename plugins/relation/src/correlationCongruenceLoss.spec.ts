import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CorrelationCongruenceLossOptions } from './CorrelationCongruenceLossOptions.js';
import { correlationCongruenceLoss } from './correlationCongruenceLoss.js';
import { centralDifferences, type FeatureValues, relationValues, studentGradient, waveFeatures } from './relationLossTestKit.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Features = FeatureValues;

/** The loss on flat values as plain numbers ([1] for 'mean', [B] for 'none'); checks nothing leaks, inputs survive. */
const ccValues = (student: Features, teacher: Features, options: CorrelationCongruenceLossOptions = {}) =>
  relationValues((s, t) => correlationCongruenceLoss(s, t, options), student, teacher);

/** An independent float64 correlation congruence loss (the scalar), for finite differences. */
function ccReference(student: Features, teacher: Features, options: CorrelationCongruenceLossOptions): number {
  const { gamma = 0.4, order = 2, normalize = true, norm = 'squared' } = options;
  const correlation = ({ values, shape }: Features) => {
    const batch = shape[0] as number;
    const width = values.length / batch;
    const rows = Array.from({ length: batch }, (_, b) => {
      const row = values.slice(b * width, (b + 1) * width);
      const length = Math.max(Math.sqrt(row.reduce((sum, v) => sum + v * v, 0)), 1e-12);
      return normalize ? row.map((v) => v / length) : row;
    });
    return rows.map((x) =>
      rows.map((y) => {
        const dot = x.reduce((sum, v, k) => sum + v * (y[k] as number), 0);
        let [term, total] = [1, 1];
        for (let p = 1; p <= order; p++) {
          term *= (2 * gamma * dot) / p;
          total += term;
        }
        return Math.exp(-2 * gamma) * total;
      }),
    );
  };
  const [s, t] = [correlation(student), correlation(teacher)];
  const squared = t
    .flatMap((row, i) => row.map((v, j) => (v - ((s[i] as number[])[j] as number)) ** 2))
    .reduce((a, b) => a + b, 0);
  const batch = s.length;
  return (norm === 'squared' ? squared : Math.sqrt(squared)) / (batch * batch);
}

const fixtureStudent = waveFeatures([3, 2, 2, 2], 0.4);
const fixtureTeacher = waveFeatures([3, 5], 1.3);

describe('correlationCongruenceLoss', () => {
  it('gives each row its share at the defaults γ = 0.4, P = 2 on a 3-example batch worked by hand', async () => {
    // Normalised student rows e1, e2, e1 and teacher rows e1, e1, e1 (the inputs are scaled: normalising undoes it).
    // The series at γ = 0.4, P = 2 is C(x) = e^−0.8 (1 + 0.8x + 0.32x²): C(1) = 2.12 e^−0.8, C(0) = e^−0.8.
    // Teacher similarities are all 1; the student's are 0 exactly at (0,1), (1,0), (1,2), (2,1), where
    // C_t − C_s = 1.12 e^−0.8. With a = (1.12 e^−0.8)² = 1.2544 e^−1.6, rows 0, 1, 2 hold 1, 2, 1 such entries:
    //   shares = [a/3, 2a/3, a/3],  CC = 4a / 9
    const student = { values: [2, 0, 0, 0.5, 7, 0], shape: [3, 2] };
    const teacher = { values: [1, 0, 3, 0, 0.1, 0], shape: [3, 2] };
    const a = 1.2544 * Math.exp(-1.6);
    const shares = await ccValues(student, teacher, { reduction: 'none' });
    expect(shares).toHaveLength(3);
    for (const [b, expected] of [a / 3, (2 * a) / 3, a / 3].entries()) expect(shares[b]).toBeCloseTo(expected, 6);
    expect(await ccValues(student, teacher)).toEqual([expect.closeTo((4 * a) / 9, 6)]);
  });

  it("gives torchdistill's unsquared norm with norm 'frobenius', worked by hand at γ = 0.5, P = 1", async () => {
    // C(x) = e^−1 (1 + x). Student rows e1, e2 → C_s = e^−1 [[2, 1], [1, 2]]; teacher rows e1, e1 → C_t = 2 e^−1 everywhere.
    //   D = e^−1 [[0, 1], [1, 0]], ‖D‖²_F = 2 e^−2:  'squared' = 2 e^−2 / 4 = e^−2 / 2,  'frobenius' = √2 e^−1 / 4
    const student = { values: [1, 0, 0, 1], shape: [2, 2] };
    const teacher = { values: [1, 0, 1, 0], shape: [2, 2] };
    const options = { gamma: 0.5, order: 1 };
    expect(await ccValues(student, teacher, options)).toEqual([expect.closeTo(Math.exp(-2) / 2, 6)]);
    expect(await ccValues(student, teacher, { ...options, norm: 'frobenius' })).toEqual([
      expect.closeTo((Math.SQRT2 * Math.exp(-1)) / 4, 6),
    ]);
  });

  it('matches float64 PyTorch for student [3, 2, 2, 2] against teacher [3, 5]', async () => {
    // From fixtures/nst-fsp-cc-fixtures.py (Debian python3-torch, float64): C = exp(−2γ) Σ_p (2γ)^p / p! (f fᵀ)^p on
    // f = F.normalize(x.flatten(1)) (or x.flatten(1) unnormalised); 'squared' = F.mse_loss(C_s, C_t), its shares the
    // row sums of (C_t − C_s)² over B; 'frobenius' = torch.dist(C_s, C_t, 2) / B².
    const cases: [CorrelationCongruenceLossOptions, number[], number, number][] = [
      [{}, [0.1327156472709932, 0.039060070815150845, 0.16957701123221777], 0.1137842431061206, 0.11243973353960708],
      [
        { gamma: 0.7, order: 3 },
        [0.1913686189188932, 0.040719327504178934, 0.22851268748980566],
        0.15353354463762592,
        0.13061118917425868,
      ],
      [{ normalize: false }, [5.561608959133622, 2.2432326732187344, 7.054570152375291], 4.953137261575883, 0.7418548271862512],
    ];
    for (const [options, shares, squared, frobenius] of cases) {
      const tolerance = options.normalize === false ? 4 : 6;
      const actualShares = await ccValues(fixtureStudent, fixtureTeacher, { ...options, reduction: 'none' });
      for (const [b, share] of shares.entries()) expect(actualShares[b]).toBeCloseTo(share, tolerance);
      const [mean] = await ccValues(fixtureStudent, fixtureTeacher, options);
      expect(mean).toBeCloseTo(squared, tolerance);
      // 'none' is each example's share: its mean is the scalar up to float rounding.
      expect(actualShares.reduce((x, y) => x + y, 0) / actualShares.length).toBeCloseTo(mean as number, tolerance + 1);
      expect(await ccValues(fixtureStudent, fixtureTeacher, { ...options, norm: 'frobenius' })).toEqual([
        expect.closeTo(frobenius, tolerance),
      ]);
    }
  });

  it('is zero, under either norm, when the student features equal the teacher features', async () => {
    expect(await ccValues(fixtureStudent, fixtureStudent)).toEqual([expect.closeTo(0, 7)]);
    expect(await ccValues(fixtureTeacher, fixtureTeacher, { normalize: false, norm: 'frobenius' })).toEqual([0]);
  });

  it('ignores the length of each row when normalising, and follows a reordering of the examples', async () => {
    const width = 8;
    const scaled = {
      values: fixtureStudent.values.map((v, i) => v * (([0.2, 5, 30] as const)[Math.floor(i / width)] ?? 1)),
      shape: [3, width],
    };
    const original = await ccValues(fixtureStudent, fixtureTeacher, { reduction: 'none' });
    const rescaled = await ccValues(scaled, fixtureTeacher, { reduction: 'none' });
    for (const [b, value] of rescaled.entries()) expect(value).toBeCloseTo(original[b] as number, 6);
    // Without normalising, the lengths enter the similarities and the loss changes.
    const [unnormalised] = await ccValues(scaled, fixtureTeacher, { normalize: false });
    expect(unnormalised).not.toBeCloseTo((await ccValues(fixtureStudent, fixtureTeacher, { normalize: false }))[0] as number, 2);
    // Examples 0, 1, 2 → 2, 0, 1 in both networks permute the shares the same way.
    const reorder = ({ values, shape }: Features, order: number[]) => {
      const rowSize = values.length / (shape[0] as number);
      return { values: order.flatMap((b) => values.slice(b * rowSize, (b + 1) * rowSize)), shape };
    };
    const permuted = await ccValues(reorder(fixtureStudent, [2, 0, 1]), reorder(fixtureTeacher, [2, 0, 1]), {
      reduction: 'none',
    });
    for (const [b, source] of [2, 0, 1].entries()) expect(permuted[b]).toBeCloseTo(original[source] as number, 6);
  });

  it('has the gradient of finite differences under either norm, and a finite one where the loss is zero', async () => {
    const student = waveFeatures([3, 4], 0.9);
    const teacher = waveFeatures([3, 6], 2.4);
    const gradientOf = (options: CorrelationCongruenceLossOptions, target: Features) =>
      studentGradient((x, t) => correlationCongruenceLoss(x, t, options), student, target);
    for (const options of [{}, { norm: 'frobenius' as const, gamma: 0.7, order: 3 }, { normalize: false }]) {
      const gradient = await gradientOf(options, teacher);
      const expected = centralDifferences(
        (values) => ccReference({ values, shape: student.shape }, teacher, options),
        student.values,
        1e-5,
      );
      for (const [i, value] of gradient.entries()) {
        expect(value, `${JSON.stringify(options)}, value ${i}`).toBeCloseTo(expected[i] as number, 4);
      }
    }
    // At C_s = C_t the unsquared norm has a kink; the gradient there is 0 (PyTorch's choice too), never NaN.
    const atZero = await gradientOf({ norm: 'frobenius' }, student);
    expect(atZero.every((value) => value === 0)).toBe(true);
  });

  it('rejects a bad γ, order, norm or reduction, and features over different batches', () => {
    const run =
      (options: Record<string, unknown>, teacherShape = [2, 3]) =>
      () =>
        tf.tidy(() =>
          correlationCongruenceLoss(tf.ones([2, 4]), tf.ones(teacherShape), options as CorrelationCongruenceLossOptions),
        );
    expect(run({ gamma: 0 })).toThrow(DistilleryError);
    expect(run({ gamma: 0 })).toThrow('correlationCongruenceLoss: gamma must be a finite number > 0, got 0');
    expect(run({ gamma: Number.POSITIVE_INFINITY })).toThrow(
      'correlationCongruenceLoss: gamma must be a finite number > 0, got Infinity',
    );
    expect(run({ order: 1.5 })).toThrow('correlationCongruenceLoss: order must be an integer ≥ 0, got 1.5');
    expect(run({ order: -1 })).toThrow('correlationCongruenceLoss: order must be an integer ≥ 0, got -1');
    expect(run({ norm: 'l1' })).toThrow("correlationCongruenceLoss: norm must be 'squared' or 'frobenius', got 'l1'");
    expect(run({ reduction: 'sum' })).toThrow("correlationCongruenceLoss: reduction must be 'mean' or 'none', got 'sum'");
    expect(run({ norm: 'frobenius', reduction: 'none' })).toThrow(
      "correlationCongruenceLoss: norm 'frobenius' is a square root over the whole batch and has no per-example share; use reduction 'mean' or norm 'squared'",
    );
    expect(run({}, [3, 3])).toThrow(
      'correlationCongruenceLoss: student and teacher features cover different batches, student [2, 4] and teacher [3, 3]',
    );
  });
});
