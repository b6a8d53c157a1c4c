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

/** Both terms with `reduction: 'none'`, as plain arrays; their shapes are checked to be [B]. */
async function termsPerExample(
  student: number[][],
  teacher: number[][],
  labels: number[],
  options: { temperature: number; standardize?: boolean },
) {
  return expectNoLeaks(async () => {
    const { tckd, nckd } = tf.tidy(() =>
      dkdTerms(tf.tensor2d(student), tf.tensor2d(teacher), tf.tensor1d(labels, 'int32'), { ...options, reduction: 'none' }),
    );
    expect(tckd.shape).toEqual([labels.length]);
    expect(nckd.shape).toEqual([labels.length]);
    const [tckdValues, nckdValues] = [[...(await tckd.data())], [...(await nckd.data())]];
    tf.dispose([tckd, nckd]);
    return { tckd: tckdValues, nckd: nckdValues };
  });
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

// Four examples of five classes with uneven logits, for the checks that need no hand-worked value.
const wideStudent = [
  [1.5, -0.3, 0.2, 4.0, -2.0],
  [0.0, 2.2, -1.1, 0.4, 0.9],
  [-0.7, 0.1, 3.3, 0.9, 1.2],
  [2.5, 2.4, -0.5, -1.0, 0.0],
];
const wideTeacher = [
  [0.4, 1.3, -0.2, 2.0, 0.5],
  [3.0, -1.2, 0.1, 0.7, -0.6],
  [0.2, 0.3, 1.8, -2.2, 2.9],
  [-1.5, 4.1, 0.0, 0.6, 1.1],
];
const wideLabels = [3, 0, 4, 1];

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
  it("gives each example's TCKD and NCKD with reduction 'none', worked by hand", async () => {
    // The rows of the worked example above, each times T² = 4.
    const { tckd, nckd } = await termsPerExample(studentRows, teacherRows, labelValues, { temperature });
    const expectedRowTckd = [4 * ln(5 / 4), 4 * (ln(5 / 6) / 3 + (2 / 3) * ln(10 / 9))];
    const expectedRowNckd = [2 * ln(4 / 3), 2 * ln(9 / 8)];
    for (const b of [0, 1]) {
      expect(tckd[b]).toBeCloseTo(expectedRowTckd[b] as number, 5);
      expect(nckd[b]).toBeCloseTo(expectedRowNckd[b] as number, 5);
    }
    expect(mean(tckd)).toBeCloseTo(expectedTckd, 5);
    expect(mean(nckd)).toBeCloseTo(expectedNckd, 5);
  });

  it("gives per-example terms whose batch mean is the 'mean' scalar and whose rows are one-example calls", async () => {
    for (const standardize of [false, true]) {
      const perExample = await termsPerExample(wideStudent, wideTeacher, wideLabels, { temperature: 3, standardize });
      const batch = await expectNoLeaks(async () => {
        const { tckd, nckd } = tf.tidy(() =>
          dkdTerms(tf.tensor2d(wideStudent), tf.tensor2d(wideTeacher), tf.tensor1d(wideLabels, 'int32'), {
            temperature: 3,
            standardize,
            reduction: 'mean',
          }),
        );
        const values = { tckd: (await tckd.data())[0] as number, nckd: (await nckd.data())[0] as number };
        tf.dispose([tckd, nckd]);
        return values;
      });
      expect(mean(perExample.tckd)).toBeCloseTo(batch.tckd, 5);
      expect(mean(perExample.nckd)).toBeCloseTo(batch.nckd, 5);
      for (let b = 0; b < wideLabels.length; b++) {
        const row = await termsPerExample([wideStudent[b] as number[]], [wideTeacher[b] as number[]], [wideLabels[b] as number], {
          temperature: 3,
          standardize,
        });
        expect(perExample.tckd[b]).toBeCloseTo(row.tckd[0] as number, 5);
        expect(perExample.nckd[b]).toBeCloseTo(row.nckd[0] as number, 5);
      }
    }
  });

  it('rejects an unknown reduction in one line', () => {
    const run = () =>
      tf.tidy(() =>
        dkdTerms(tf.zeros([2, 3]), tf.zeros([2, 3]), tf.zeros([2], 'int32'), {
          temperature: 4,
          reduction: 'sum' as 'mean',
        }),
      );
    expect(run).toThrow(DistilleryError);
    expect(run).toThrow("dkdLoss: reduction must be 'mean' or 'none', got 'sum'");
  });
});

describe('dkdLoss', () => {
  it('is α · TCKD + β · NCKD', async () => {
    const value = await dkdValue(studentRows, teacherRows, labelValues, { alpha: 0.5, beta: 3, temperature });
    expect(value).toBeCloseTo(0.5 * expectedTckd + 3 * expectedNckd, 5);
  });

  it("gives each example's α · TCKD_b + β · NCKD_b with reduction 'none', averaging to the scalar", async () => {
    const options = { alpha: 0.5, beta: 3, temperature: 3 };
    const terms = await termsPerExample(wideStudent, wideTeacher, wideLabels, { temperature: 3 });
    const perExample = await expectNoLeaks(async () => {
      const loss = tf.tidy(() =>
        dkdLoss(tf.tensor2d(wideStudent), tf.tensor2d(wideTeacher), tf.tensor1d(wideLabels, 'int32'), {
          ...options,
          reduction: 'none',
        }),
      );
      expect(loss.shape).toEqual([wideLabels.length]);
      const values = [...(await loss.data())];
      loss.dispose();
      return values;
    });
    for (const [b, value] of perExample.entries()) {
      expect(value).toBeCloseTo(0.5 * (terms.tckd[b] as number) + 3 * (terms.nckd[b] as number), 5);
    }
    expect(mean(perExample)).toBeCloseTo(await dkdValue(wideStudent, wideTeacher, wideLabels, options), 5);
    // The hand-worked batch: row 1 is 0.5 · 4 ln(5/4) + 3 · 2 ln(4/3).
    const handRows = await expectNoLeaks(async () => {
      const loss = tf.tidy(() =>
        dkdLoss(tf.tensor2d(studentRows), tf.tensor2d(teacherRows), tf.tensor1d(labelValues, 'int32'), {
          alpha: 0.5,
          beta: 3,
          temperature,
          reduction: 'none',
        }),
      );
      const values = [...(await loss.data())];
      loss.dispose();
      return values;
    });
    expect(handRows[0]).toBeCloseTo(0.5 * 4 * ln(5 / 4) + 3 * 2 * ln(4 / 3), 5);
  });

  it('rejects an unknown reduction in one line', () => {
    const run = () =>
      tf.tidy(() =>
        dkdLoss(tf.zeros([2, 3]), tf.zeros([2, 3]), tf.zeros([2], 'int32'), {
          alpha: 1,
          beta: 8,
          temperature: 4,
          reduction: 'batchmean' as 'none',
        }),
      );
    expect(run).toThrow(DistilleryError);
    expect(run).toThrow("dkdLoss: reduction must be 'mean' or 'none', got 'batchmean'");
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
