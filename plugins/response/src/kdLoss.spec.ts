import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { kdLoss } from './kdLoss.js';
import { standardizeLogits } from './standardizeLogits.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function softmax(row: readonly number[], temperature: number): number[] {
  const scaled = row.map((z) => z / temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((z) => Math.exp(z - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

function klDivergence(p: readonly number[], q: readonly number[]): number {
  return p.reduce((sum, pc, c) => sum + pc * (Math.log(pc) - Math.log(q[c] as number)), 0);
}

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

async function kdValue(student: number[][], teacher: number[][], temperature: number): Promise<number> {
  return expectNoLeaks(async () => {
    const loss = tf.tidy(() => kdLoss(tf.tensor2d(student), tf.tensor2d(teacher), { temperature }));
    const [value] = await loss.data();
    loss.dispose();
    return value as number;
  });
}

describe('kdLoss', () => {
  it('is zero when the logits are identical', async () => {
    for (const temperature of [1, 4, 20]) {
      expect(await kdValue(teacherRows, teacherRows, temperature)).toBeCloseTo(0, 6);
    }
  });

  it('is the plain batch-mean KL divergence at T = 1', async () => {
    const expected =
      teacherRows.reduce((sum, row, b) => sum + klDivergence(softmax(row, 1), softmax(studentRows[b] as number[], 1)), 0) /
      teacherRows.length;
    expect(await kdValue(studentRows, teacherRows, 1)).toBeCloseTo(expected, 5);
  });

  it('matches T² · batchmean KL(teacher ‖ student) at T = 8', async () => {
    const temperature = 8;
    const meanKl =
      teacherRows.reduce(
        (sum, row, b) => sum + klDivergence(softmax(row, temperature), softmax(studentRows[b] as number[], temperature)),
        0,
      ) / teacherRows.length;
    expect(await kdValue(studentRows, teacherRows, temperature)).toBeCloseTo(temperature * temperature * meanKl, 5);
  });

  it('gives ln(16/9) on a 2×3 batch worked by hand at T = 2', async () => {
    // T = 2, so softmax acts on z/2.
    // Row 1: teacher z/2 = [ln 4, 0, 0] → p = [4, 1, 1]/6 = [2/3, 1/6, 1/6]; student z/2 = 0 → q = [1/3, 1/3, 1/3].
    //   KL = 2/3 · ln 2 + 2 · 1/6 · ln(1/2) = (2/3 − 1/3) ln 2 = (1/3) ln 2.
    // Row 2: teacher z/2 = 0 → p = [1/3, 1/3, 1/3]; student z/2 = [0, ln 2, 0] → q = [1, 2, 1]/4 = [1/4, 1/2, 1/4].
    //   KL = 1/3 · (ln(4/3) + ln(2/3) + ln(4/3)) = (1/3) ln(32/27).
    // Batch mean = (1/6) ln(2 · 32/27) = (1/6) ln(64/27); times T² = 4: (2/3) ln(64/27) = 4 ln 2 − 2 ln 3 = ln(16/9).
    const ln2 = Math.log(2);
    const teacher = [
      [4 * ln2, 0, 0],
      [0, 0, 0],
    ];
    const student = [
      [0, 0, 0],
      [0, 2 * ln2, 0],
    ];
    expect(await kdValue(student, teacher, 2)).toBeCloseTo(Math.log(16 / 9), 5);
  });

  it('has the gradient T · (softmax(z_s/T) − softmax(z_t/T)) / B with respect to the student logits', async () => {
    const temperature = 3;
    const batchSize = studentRows.length;
    const expected = studentRows.map((row, b) => {
      const q = softmax(row, temperature);
      const p = softmax(teacherRows[b] as number[], temperature);
      return q.map((qc, c) => (temperature * (qc - (p[c] as number))) / batchSize);
    });
    const gradient = await expectNoLeaks(async () => {
      const grads = tf.tidy(() => {
        const teacher = tf.tensor2d(teacherRows);
        return tf.grad((student: tf.Tensor) => kdLoss(student as tf.Tensor2D, teacher, { temperature }))(
          tf.tensor2d(studentRows),
        );
      });
      const values = await grads.array();
      grads.dispose();
      return values as number[][];
    });
    for (const [b, row] of gradient.entries()) {
      for (const [c, value] of row.entries()) expect(value).toBeCloseTo((expected[b] as number[])[c] as number, 6);
    }
  });

  it('stays finite when the softened teacher puts all its mass on one class', async () => {
    // exp(−200) underflows in float32, so softmax would give exact zeros and log(softmax) would give −∞.
    const value = await kdValue(
      [
        [0, 0, 0],
        [1, 2, 3],
      ],
      [
        [200, 0, 0],
        [0, 0, 200],
      ],
      1,
    );
    expect(Number.isFinite(value)).toBe(true);
    // Row 1: KL(onehot(0) ‖ uniform) = ln 3. Row 2: KL(onehot(2) ‖ softmax([1, 2, 3])) = −log softmax(·)_2.
    const expected = (Math.log(3) - Math.log(softmax([1, 2, 3], 1)[2] as number)) / 2;
    expect(value).toBeCloseTo(expected, 4);
  });

  it('with standardize, is KD of the z-scored logits (KD + LS), worked by hand on one example', async () => {
    // Student [1, 2, 3] → [−1, 0, 1]; teacher 10 · [3, 2, 1] → [1, 0, −1] (unbiased std 1, resp. 10, the scale drops out).
    // At T = 2: KL(softmax([1, 0, −1]/2) ‖ softmax([−1, 0, 1]/2)) times T² = 4.
    const value = await expectNoLeaks(async () => {
      const loss = tf.tidy(() =>
        kdLoss(tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[30, 20, 10]]), { temperature: 2, standardize: true }),
      );
      const [result] = await loss.data();
      loss.dispose();
      return result as number;
    });
    expect(value).toBeCloseTo(4 * klDivergence(softmax([1, 0, -1], 2), softmax([-1, 0, 1], 2)), 5);
  });

  it('with standardize, equals kdLoss of standardizeLogits of both inputs', async () => {
    const [standardized, manual] = await expectNoLeaks(async () => {
      const values = tf.tidy(() => {
        const [student, teacher] = [tf.tensor2d(studentRows), tf.tensor2d(teacherRows)];
        return tf.stack([
          kdLoss(student, teacher, { temperature: 3, standardize: true }),
          kdLoss(standardizeLogits(student), standardizeLogits(teacher), { temperature: 3 }),
        ]);
      });
      const data = await values.data();
      values.dispose();
      return Array.from(data);
    });
    expect(standardized).toBeCloseTo(manual as number, 6);
    expect(standardized).not.toBeCloseTo(await kdValue(studentRows, teacherRows, 3), 2);
  });

  it('rejects logits that differ in shape', () => {
    const run = () => tf.tidy(() => kdLoss(tf.zeros([4, 10]), tf.zeros([4, 5]), { temperature: 4 }));
    expect(run).toThrow(DistilleryError);
    expect(run).toThrow('kdLoss: student logits [4, 10] and teacher logits [4, 5] differ in shape');
  });

  it('rejects logits that are not [B, C]', () => {
    const asMatrix = (tensor: tf.Tensor) => tensor as tf.Tensor2D;
    expect(() => tf.tidy(() => kdLoss(asMatrix(tf.zeros([4])), asMatrix(tf.zeros([4])), { temperature: 4 }))).toThrow(
      'kdLoss: expected logits of shape [B, C], got student [4] and teacher [4]',
    );
  });

  it('rejects a temperature that is not positive', () => {
    for (const temperature of [0, -2, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => tf.tidy(() => kdLoss(tf.zeros([2, 3]), tf.zeros([2, 3]), { temperature }))).toThrow(
        `kdLoss: temperature must be a finite positive number, got ${temperature}`,
      );
    }
  });
});
