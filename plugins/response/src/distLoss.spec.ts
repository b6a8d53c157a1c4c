import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { distLoss } from './distLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ln2 = Math.log(2);
const ln3 = Math.log(3);
// At T = 1 these give p_s = [[3, 2, 1], [1, 3, 2]] / 6 and p_t = [[3, 1, 2], [2, 3, 1]] / 6.
const studentRows = [
  [ln3, ln2, 0],
  [0, ln3, ln2],
];
const teacherRows = [
  [ln3, 0, ln2],
  [ln2, ln3, 0],
];

type DistOptions = { beta?: number; gamma?: number; temperature?: number };

async function distValue(student: number[][], teacher: number[][], options?: DistOptions): Promise<number> {
  return expectNoLeaks(async () => {
    const loss = tf.tidy(() => distLoss(tf.tensor2d(student), tf.tensor2d(teacher), options));
    const [value] = await loss.data();
    loss.dispose();
    return value as number;
  });
}

/** An independent float64 DIST, for finite differences. */
function distReference(student: number[][], teacher: number[][], { beta = 1, gamma = 1, temperature = 1 }: DistOptions): number {
  const softmax = (row: number[]) => {
    const exps = row.map((z) => Math.exp(z / temperature));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  };
  const pearson = (a: number[], b: number[]) => {
    const centre = (x: number[]) => x.map((v) => v - x.reduce((s, w) => s + w, 0) / x.length);
    const [ca, cb] = [centre(a), centre(b)];
    const norm = (x: number[]) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));
    return ca.reduce((s, v, i) => s + v * (cb[i] as number), 0) / (norm(ca) * norm(cb) + 1e-8);
  };
  const meanPearson = (a: number[][], b: number[][]) => a.reduce((s, row, i) => s + pearson(row, b[i] as number[]), 0) / a.length;
  const transpose = (m: number[][]) => (m[0] as number[]).map((_, c) => m.map((row) => row[c] as number));
  const [ps, pt] = [student.map(softmax), teacher.map(softmax)];
  const inter = 1 - meanPearson(ps, pt);
  const intra = 1 - meanPearson(transpose(ps), transpose(pt));
  return temperature * temperature * (beta * inter + gamma * intra);
}

describe('distLoss', () => {
  it('gives 1/2 + 2/3 = 7/6 on a 2×3 batch worked by hand at the defaults β = γ = T = 1', async () => {
    // Centred rows (× 6): p_s → [1, 0, −1], [−1, 1, 0]; p_t → [1, −1, 0], [0, 1, −1]; every |row|² = 2/36.
    //   pearson row 1 = (1 + 0 + 0) / 2 = 1/2; row 2 = (0 + 1 + 0) / 2 = 1/2  →  inter = 1 − 1/2 = 1/2.
    // Columns over a batch of 2 centre to ±[d, −d], so each pearson is the sign agreement:
    //   c0: s [3, 1], t [3, 2] both fall → +1; c1: s [2, 3], t [1, 3] both rise → +1; c2: s [1, 2] rises, t [2, 1] falls → −1.
    //   intra = 1 − (1 + 1 − 1)/3 = 2/3.
    expect(await distValue(studentRows, teacherRows)).toBeCloseTo(7 / 6, 5);
  });

  it('weighs the relations by β and γ and scales them by T²', async () => {
    // Logits × 4 at T = 4 give the same probabilities: 16 · (2 · 1/2 + 0.5 · 2/3) = 16 · 4/3.
    const scaled = (rows: number[][]) => rows.map((row) => row.map((z) => 4 * z));
    const value = await distValue(scaled(studentRows), scaled(teacherRows), { beta: 2, gamma: 0.5, temperature: 4 });
    expect(value).toBeCloseTo((16 * 4) / 3, 4);
  });

  it('is zero, up to the 1e-8 in the denominator, when the logits are identical', async () => {
    const rows = [
      [1.2, -0.4, 0.3, 2.0],
      [-1.0, 0.5, 0.0, 0.7],
      [0.1, 0.2, -2.2, 1.3],
    ];
    expect(await distValue(rows, rows)).toBeCloseTo(0, 5);
  });

  it('is 4 (inter = intra = 2) when the student is perfectly anti-correlated with the teacher', async () => {
    // p_s rows [1, 2]/3 and [2, 1]/3 against p_t rows [2, 1]/3 and [1, 2]/3: every row and column pearson is −1,
    // so inter = intra = 2 and DIST = 4; with T = 1 the same holds for logits [0, ln 2].
    const student = [
      [0, ln2],
      [ln2, 0],
    ];
    const teacher = [
      [ln2, 0],
      [0, ln2],
    ];
    expect(await distValue(student, teacher)).toBeCloseTo(4, 5);
  });

  it('has the gradient of finite differences with respect to the student logits', async () => {
    const student = [
      [1.2, -0.4, 0.3, 2.0],
      [-1.0, 0.5, 0.0, 0.7],
      [0.1, 0.2, -2.2, 1.3],
    ];
    const teacher = [
      [2.5, -1.0, 0.0, 1.0],
      [0.3, 1.8, -0.6, -0.2],
      [-0.5, 0.9, -1.0, 2.4],
    ];
    const options = { beta: 2, gamma: 1.5, temperature: 2 };
    const step = 1e-5;
    const expected = student.map((row, b) =>
      row.map((_, c) => {
        const shifted = (delta: number) => student.map((r, i) => r.map((z, j) => (i === b && j === c ? z + delta : z)));
        return (distReference(shifted(step), teacher, options) - distReference(shifted(-step), teacher, options)) / (2 * step);
      }),
    );
    const gradient = await expectNoLeaks(async () => {
      const grads = tf.tidy(() => {
        const teacherLogits = tf.tensor2d(teacher);
        return tf.grad((logits: tf.Tensor) => distLoss(logits as tf.Tensor2D, teacherLogits, options))(tf.tensor2d(student));
      });
      const values = (await grads.array()) as number[][];
      grads.dispose();
      return values;
    });
    for (const [b, row] of gradient.entries()) {
      for (const [c, value] of row.entries()) expect(value).toBeCloseTo((expected[b] as number[])[c] as number, 4);
    }
  });

  it('keeps the gradient finite when a row of the student is constant', async () => {
    const gradient = await expectNoLeaks(async () => {
      const grads = tf.tidy(() => {
        const teacher = tf.tensor2d([
          [2, 0, 1],
          [0, 1, 3],
        ]);
        return tf.grad((logits: tf.Tensor) => distLoss(logits as tf.Tensor2D, teacher))(tf.zeros([2, 3]));
      });
      const values = await grads.data();
      grads.dispose();
      return Array.from(values);
    });
    expect(gradient.every(Number.isFinite)).toBe(true);
  });

  it('rejects logits that differ in shape, and a temperature or weight that is not a number', () => {
    const run =
      (options: DistOptions, columns = 3) =>
      () =>
        tf.tidy(() => distLoss(tf.zeros([2, 3]), tf.zeros([2, columns]), options));
    expect(run({}, 4)).toThrow(DistilleryError);
    expect(run({}, 4)).toThrow('distLoss: student logits [2, 3] and teacher logits [2, 4] differ in shape');
    expect(run({ temperature: 0 })).toThrow('distLoss: temperature must be a finite positive number, got 0');
    expect(run({ gamma: Number.NaN })).toThrow('distLoss: gamma must be a finite number, got NaN');
  });
});
