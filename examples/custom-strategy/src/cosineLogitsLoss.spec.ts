import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosineLogitsLoss } from './cosineLogitsLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const studentRows = [
  [1.2, -0.4, 0.3, 2.0],
  [-1.0, 0.5, 0.0, 0.7],
  [0.1, 0.2, -2.2, 1.3],
];
const teacherRows = [
  [2.5, -1.0, 0.0, 1.0],
  [0.3, 1.8, -0.6, -0.2],
  [-0.5, 0.9, -1.0, 2.4],
];

const centred = (row: readonly number[]) => {
  const mean = row.reduce((a, b) => a + b, 0) / row.length;
  return row.map((x) => x - mean);
};
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);
const norm = (a: readonly number[]) => Math.sqrt(dot(a, a));
const pearson = (a: readonly number[], b: readonly number[]) =>
  dot(centred(a), centred(b)) / (norm(centred(a)) * norm(centred(b)));

async function lossValue(student: number[][], teacher: number[][], epsilon?: number): Promise<number> {
  return expectNoLeaks(async () => {
    const loss = tf.tidy(() => cosineLogitsLoss(tf.tensor2d(student), tf.tensor2d(teacher), { epsilon }));
    const [value] = await loss.data();
    loss.dispose();
    return value as number;
  });
}

async function studentGradient(student: number[][], teacher: number[][]): Promise<number[][]> {
  return expectNoLeaks(async () => {
    const gradient = tf.tidy(() => {
      const teacherLogits = tf.tensor2d(teacher);
      return tf.grad((logits: tf.Tensor) => cosineLogitsLoss(logits as tf.Tensor2D, teacherLogits))(tf.tensor2d(student));
    });
    const values = (await gradient.array()) as number[][];
    gradient.dispose();
    return values;
  });
}

describe('cosineLogitsLoss', () => {
  it('is 0 for identical logits, 2 for opposite ones and 1 for uncorrelated ones', async () => {
    const teacher = [[1, 0, -1]];
    expect(await lossValue([[1, 0, -1]], teacher)).toBeCloseTo(0, 6);
    expect(await lossValue([[-1, 0, 1]], teacher)).toBeCloseTo(2, 6);
    // [1, −2, 1] is centred and orthogonal to [1, 0, −1]: 1 + 0 − 1 = 0.
    expect(await lossValue([[1, -2, 1]], teacher)).toBeCloseTo(1, 6);
  });

  it('gives (3 − √3)/4 on a 2×3 batch worked by hand', async () => {
    // Row 1: student [2, 0, 1] − 1 = [1, −1, 0], ‖u‖ = √2; teacher [3, 0, 0] − 1 = [2, −1, −1], ‖v‖ = √6;
    //   ⟨u, v⟩ = 2 + 1 + 0 = 3, ρ = 3/√12 = √3/2, loss 1 − √3/2.
    // Row 2: student [0, 1, 2] − 1 = [−1, 0, 1], ‖u‖ = √2; teacher [0, 4, 2] − 2 = [−2, 2, 0], ‖v‖ = √8;
    //   ⟨u, v⟩ = 2, ρ = 2/√16 = 1/2, loss 1/2.
    // Batch mean: (1 − √3/2 + 1/2)/2 = (3 − √3)/4 ≈ 0.31699.
    const student = [
      [2, 0, 1],
      [0, 1, 2],
    ];
    const teacher = [
      [3, 0, 0],
      [0, 4, 2],
    ];
    expect(await lossValue(student, teacher)).toBeCloseTo((3 - Math.sqrt(3)) / 4, 6);
  });

  it('is the batch mean of 1 − Pearson correlation, and half the mean squared difference of z-scored logits', async () => {
    const expected =
      studentRows.reduce((sum, row, b) => sum + 1 - pearson(row, teacherRows[b] as number[]), 0) / studentRows.length;
    const zScores = (row: readonly number[]) => {
      const u = centred(row);
      const sigma = norm(u) / Math.sqrt(u.length);
      return u.map((x) => x / sigma);
    };
    const halfMeanSquared =
      studentRows.reduce((sum, row, b) => {
        const difference = zScores(row).map((x, c) => x - (zScores(teacherRows[b] as number[])[c] as number));
        return sum + dot(difference, difference) / (2 * row.length);
      }, 0) / studentRows.length;
    expect(halfMeanSquared).toBeCloseTo(expected, 12);
    expect(await lossValue(studentRows, teacherRows)).toBeCloseTo(expected, 6);
  });

  it('ignores a constant added to a row and a positive rescaling, which is why it takes no temperature', async () => {
    const reference = await lossValue(studentRows, teacherRows);
    // [11, 10, 9] and [1, 0, −1] have the same softmax; a plain cosine would give them 1 − 0.08.
    expect(await lossValue([[11, 10, 9]], [[1, 0, -1]])).toBeCloseTo(0, 6);
    for (const temperature of [0.5, 4, 20]) {
      const soften = (rows: number[][]) => rows.map((row) => row.map((z) => z / temperature));
      expect(await lossValue(soften(studentRows), soften(teacherRows))).toBeCloseTo(reference, 5);
    }
    const shiftedAndScaled = studentRows.map((row, b) => row.map((z) => 3 * z + b - 7));
    expect(await lossValue(shiftedAndScaled, teacherRows)).toBeCloseTo(reference, 5);
  });

  it('has the gradient −(v̂ − ρ·û) / (B·‖u‖) with respect to the student logits', async () => {
    const batchSize = studentRows.length;
    const expected = studentRows.map((row, b) => {
      const u = centred(row);
      const v = centred(teacherRows[b] as number[]);
      const rho = dot(u, v) / (norm(u) * norm(v));
      return u.map((uc, c) => -((v[c] as number) / norm(v) - (rho * uc) / norm(u)) / (batchSize * norm(u)));
    });
    const gradient = await studentGradient(studentRows, teacherRows);
    for (const [b, row] of gradient.entries()) {
      for (const [c, value] of row.entries()) expect(value).toBeCloseTo((expected[b] as number[])[c] as number, 6);
      // Orthogonal to the all-ones vector: the loss never moves a row's mean.
      expect(row.reduce((a, x) => a + x, 0)).toBeCloseTo(0, 6);
    }
  });

  it('agrees with a central finite difference of the loss', async () => {
    const h = 1e-2;
    const gradient = await studentGradient(studentRows, teacherRows);
    for (const [b, row] of studentRows.entries()) {
      for (const c of row.keys()) {
        const nudged = (delta: number) => studentRows.map((r, i) => r.map((z, j) => (i === b && j === c ? z + delta : z)));
        const difference = (await lossValue(nudged(h), teacherRows)) - (await lossValue(nudged(-h), teacherRows));
        // float32 losses are good to ~1e-7, so the quotient is good to ~1e-5 at h = 1e-2, besides the O(h²) error.
        expect(difference / (2 * h)).toBeCloseTo((gradient[b] as number[])[c] as number, 3);
      }
    }
  });

  it('counts a constant row as uncorrelated, with a finite gradient, instead of dividing by zero', async () => {
    const student = [
      [5, 5, 5],
      [1, 2, 3],
    ];
    const teacher = [
      [3, 0, 0],
      [7, 7, 7],
    ];
    expect(await lossValue(student, teacher)).toBeCloseTo(1, 6);
    const gradient = await studentGradient(student, teacher);
    expect(gradient.flat().every(Number.isFinite)).toBe(true);
  });

  it('lets ε weaken the correlation of rows whose norm is no larger than ε', async () => {
    // u = [0.01, −0.01], ‖u‖² = 2e-4; with ε = 0.01, ρ = ‖u‖²/(‖u‖² + ε²) = 2/3 (student and teacher identical).
    const tiny = [[0.01, -0.01]];
    expect(await lossValue(tiny, tiny)).toBeCloseTo(0, 5);
    expect(await lossValue(tiny, tiny, 0.01)).toBeCloseTo(1 / 3, 5);
  });

  it('frees every intermediate when called outside a tidy', async () => {
    const student = tf.tensor2d(studentRows);
    const teacher = tf.tensor2d(teacherRows);
    await expectNoLeaks(() => {
      cosineLogitsLoss(student, teacher).dispose();
    });
    tf.dispose([student, teacher]);
  });

  it('rejects logits that differ in shape', () => {
    const run = () => tf.tidy(() => cosineLogitsLoss(tf.zeros([4, 10]), tf.zeros([4, 5])));
    expect(run).toThrow(DistilleryError);
    expect(run).toThrow('cosineLogitsLoss: student logits [4, 10] and teacher logits [4, 5] differ in shape');
    expect(() => tf.tidy(() => cosineLogitsLoss(tf.zeros([3, 10]), tf.zeros([4, 10])))).toThrow(
      'cosineLogitsLoss: student logits [3, 10] and teacher logits [4, 10] differ in shape',
    );
  });

  it('rejects logits that are not [B, C]', () => {
    const asMatrix = (tensor: tf.Tensor) => tensor as tf.Tensor2D;
    expect(() => tf.tidy(() => cosineLogitsLoss(asMatrix(tf.zeros([4])), asMatrix(tf.zeros([4]))))).toThrow(
      'cosineLogitsLoss: expected logits of shape [B, C], got student [4] and teacher [4]',
    );
  });

  it('rejects a single class, which has nothing to correlate', () => {
    expect(() => tf.tidy(() => cosineLogitsLoss(tf.zeros([4, 1]), tf.zeros([4, 1])))).toThrow(
      'cosineLogitsLoss: expected at least 2 classes, got logits [4, 1]',
    );
  });

  it('rejects an epsilon that is not a finite positive number', () => {
    for (const epsilon of [0, -1e-6, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => tf.tidy(() => cosineLogitsLoss(tf.zeros([2, 3]), tf.zeros([2, 3]), { epsilon }))).toThrow(
        `cosineLogitsLoss: epsilon must be a finite positive number, got ${epsilon}`,
      );
    }
  });
});
