import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { dkdLoss } from './dkdLoss.js';
import { dkdTerms } from './dkdTerms.js';
import { kdLoss } from './kdLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ln = Math.log;
const temperature = 2;
// The worked example: 3 classes, T = 2, so every softmax below acts on z/2 = ln(·) of the weights shown.
// Row 1, label 0:
//   teacher z/2 = [ln 2, 0, 0] → p = [1/2, 1/4, 1/4], b_t = [1/2, 1/2]; without class 0: [0, 1/2, 1/2]
//   student z/2 = [0, ln 3, 0] → p = [1/5, 3/5, 1/5], b_s = [1/5, 4/5]; without class 0: [0, 3/4, 1/4]
//   TCKD_1 = 1/2 ln((1/2)/(1/5)) + 1/2 ln((1/2)/(4/5)) = 1/2 ln(5/2 · 5/8) = 1/2 ln(25/16) = ln(5/4)
//   NCKD_1 = 1/2 ln((1/2)/(3/4)) + 1/2 ln((1/2)/(1/4)) = 1/2 ln(2/3 · 2) = 1/2 ln(4/3)
// Row 2, label 2:
//   teacher z/2 = [0, 0, 0] → p = [1/3, 1/3, 1/3], b_t = [1/3, 2/3]; without class 2: [1/2, 1/2, 0]
//   student z/2 = [ln 2, 0, ln 2] → p = [2/5, 1/5, 2/5], b_s = [2/5, 3/5]; without class 2: [2/3, 1/3, 0]
//   TCKD_2 = 1/3 ln((1/3)/(2/5)) + 2/3 ln((2/3)/(3/5)) = 1/3 ln(5/6) + 2/3 ln(10/9)
//   NCKD_2 = 1/2 ln((1/2)/(2/3)) + 1/2 ln((1/2)/(1/3)) = 1/2 ln(3/4 · 3/2) = 1/2 ln(9/8)
// Batch mean times T² = 4 is 2 · (row 1 + row 2):
//   TCKD = 2 · (ln(5/4) + 1/3 ln(5/6) + 2/3 ln(10/9)) ≈ 0.46522
//   NCKD = 2 · (1/2 ln(4/3) + 1/2 ln(9/8)) = ln(4/3 · 9/8) = ln(3/2)
const teacherRows = [
  [2 * ln(2), 0, 0],
  [0, 0, 0],
];
const studentRows = [
  [0, 2 * ln(3), 0],
  [2 * ln(2), 0, 2 * ln(2)],
];
const labelValues = [0, 2];
const expectedTckd = 2 * (ln(5 / 4) + ln(5 / 6) / 3 + (2 / 3) * ln(10 / 9));
const expectedNckd = ln(3 / 2);

async function termsOf(student: number[][], teacher: number[][], labels: number[], t: number) {
  return expectNoLeaks(async () => {
    const { tckd, nckd } = tf.tidy(() =>
      dkdTerms(tf.tensor2d(student), tf.tensor2d(teacher), tf.tensor1d(labels, 'int32'), { temperature: t }),
    );
    const [tckdValue, nckdValue] = [(await tckd.data())[0] as number, (await nckd.data())[0] as number];
    tf.dispose([tckd, nckd]);
    return { tckd: tckdValue, nckd: nckdValue };
  });
}

async function dkdValue(
  student: number[][],
  teacher: number[][],
  labels: number[],
  options: { alpha: number; beta: number; temperature: number },
): Promise<number> {
  return expectNoLeaks(async () => {
    const loss = tf.tidy(() => dkdLoss(tf.tensor2d(student), tf.tensor2d(teacher), tf.tensor1d(labels, 'int32'), options));
    const [value] = await loss.data();
    loss.dispose();
    return value as number;
  });
}

describe('dkdTerms', () => {
  it('gives the TCKD and NCKD of a 3-class batch worked by hand', async () => {
    const { tckd, nckd } = await termsOf(studentRows, teacherRows, labelValues, temperature);
    expect(tckd).toBeCloseTo(expectedTckd, 5);
    expect(nckd).toBeCloseTo(expectedNckd, 5);
  });

  it('recombines into classical KD as TCKD + (1 − p_t,y) · NCKD for a single example', async () => {
    // Zhao et al. 2022, eq. (5): KD = TCKD + (1 − p_t,y) · NCKD; the T² factor is common to all three terms.
    // Row 1 of the worked example: the teacher's target probability p_t,0 = 1/2.
    const student = [studentRows[0] as number[]];
    const teacher = [teacherRows[0] as number[]];
    const { tckd, nckd } = await termsOf(student, teacher, [0], temperature);
    const kd = await expectNoLeaks(async () => {
      const loss = tf.tidy(() => kdLoss(tf.tensor2d(student), tf.tensor2d(teacher), { temperature }));
      const [value] = await loss.data();
      loss.dispose();
      return value as number;
    });
    expect(tckd + (1 - 1 / 2) * nckd).toBeCloseTo(kd, 5);
  });
});

describe('dkdLoss', () => {
  it('is α · TCKD + β · NCKD', async () => {
    const value = await dkdValue(studentRows, teacherRows, labelValues, { alpha: 0.5, beta: 3, temperature });
    expect(value).toBeCloseTo(0.5 * expectedTckd + 3 * expectedNckd, 5);
  });

  it('is zero when the logits are identical', async () => {
    const logits = [
      [1.5, -0.3, 0.2, 4.0],
      [0.0, 2.2, -1.1, 0.4],
      [-0.7, 0.1, 3.3, 0.9],
    ];
    expect(await dkdValue(logits, logits, [3, 1, 0], { alpha: 1, beta: 8, temperature: 4 })).toBeCloseTo(0, 5);
  });

  it('stays finite, with a finite gradient, when the student is certain of the target class', async () => {
    // softmax([100, 0, 0]) rounds to [1, 0, 0] in float32: mdistiller's torch.log(1 − p_y) would be −∞ here.
    const gradient = await expectNoLeaks(async () => {
      const [loss, grads] = tf.tidy(() => {
        const teacher = tf.tensor2d([[2, 1, 0]]);
        const labels = tf.tensor1d([0], 'int32');
        const { value, grad } = tf.valueAndGrad((student: tf.Tensor) =>
          dkdLoss(student as tf.Tensor2D, teacher, labels, { alpha: 1, beta: 8, temperature: 1 }),
        )(tf.tensor2d([[100, 0, 0]]));
        return [value, grad];
      });
      const values = [...(await loss.data()), ...(await grads.data())];
      tf.dispose([loss, grads]);
      return values;
    });
    for (const value of gradient) expect(Number.isFinite(value)).toBe(true);
  });

  it('rejects logits that differ in shape', () => {
    expect(() =>
      tf.tidy(() => dkdLoss(tf.zeros([4, 10]), tf.zeros([4, 5]), tf.zeros([4], 'int32'), { alpha: 1, beta: 8, temperature: 4 })),
    ).toThrow('dkdLoss: student logits [4, 10] and teacher logits [4, 5] differ in shape');
  });

  it('rejects labels that do not match the batch', () => {
    const run = () =>
      tf.tidy(() => dkdLoss(tf.zeros([4, 3]), tf.zeros([4, 3]), tf.zeros([5], 'int32'), { alpha: 1, beta: 8, temperature: 4 }));
    expect(run).toThrow(DistilleryError);
    expect(run).toThrow('dkdLoss: labels [5] do not match logits [4, 3]');
  });

  it('rejects labels that are not int32', () => {
    expect(() =>
      tf.tidy(() => dkdLoss(tf.zeros([4, 3]), tf.zeros([4, 3]), tf.zeros([4]), { alpha: 1, beta: 8, temperature: 4 })),
    ).toThrow('dkdLoss: labels must be int32 class indices, got float32');
  });

  it('rejects a temperature that is not positive and weights that are not finite', () => {
    const run = (options: { alpha: number; beta: number; temperature: number }) => () =>
      tf.tidy(() => dkdLoss(tf.zeros([2, 3]), tf.zeros([2, 3]), tf.zeros([2], 'int32'), options));
    expect(run({ alpha: 1, beta: 8, temperature: -1 })).toThrow('dkdLoss: temperature must be a finite positive number, got -1');
    expect(run({ alpha: Number.NaN, beta: 8, temperature: 4 })).toThrow('dkdLoss: alpha must be a finite number, got NaN');
  });
});
