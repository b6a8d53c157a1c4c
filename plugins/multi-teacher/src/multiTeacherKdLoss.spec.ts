import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { kdLoss } from '@distillery/plugin-response';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtInPolicies } from './builtInPolicies.js';
import type { MultiTeacherOptions } from './MultiTeacherOptions.js';
import { multiTeacherKdLoss } from './multiTeacherKdLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function softmax(row: readonly number[], temperature = 1): number[] {
  const scaled = row.map((z) => z / temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((z) => Math.exp(z - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

function kl(p: readonly number[], q: readonly number[]): number {
  return p.reduce((sum, pc, c) => sum + (pc === 0 ? 0 : pc * (Math.log(pc) - Math.log(q[c] as number))), 0);
}

const student = [
  [1.2, -0.4, 0.3],
  [-1.0, 0.5, 0.0],
  [0.1, 0.2, -2.2],
];
const teacherA = [
  [2.5, -1.0, 0.0],
  [0.3, 1.8, -0.6],
  [-0.5, 0.9, 2.4],
];
const teacherB = [
  [0.0, 0.5, 1.0],
  [2.0, -1.0, 0.4],
  [1.5, 1.5, -3.0],
];
const labels = [0, 1, 2];

async function lossValue(studentRows: number[][], teachers: number[][][], options: MultiTeacherOptions): Promise<number> {
  return expectNoLeaks(async () => {
    const loss = tf.tidy(() =>
      multiTeacherKdLoss(
        tf.tensor2d(studentRows),
        teachers.map((rows) => tf.tensor2d(rows)),
        tf.tensor1d(labels.slice(0, studentRows.length), 'int32'),
        options,
      ),
    );
    expect(loss.rank).toBe(0);
    const [value] = await loss.data();
    loss.dispose();
    return value as number;
  });
}

async function kdValue(teacher: number[][], temperature: number): Promise<number> {
  const loss = tf.tidy(() => kdLoss(tf.tensor2d(student), tf.tensor2d(teacher), { temperature }));
  const [value] = await loss.data();
  loss.dispose();
  return value as number;
}

/** T² · (1/B) Σ_b Σ_k w_bk KL(softmax(z_k/T)_b ‖ softmax(z_s/T)_b), in plain numbers. */
function weightedKd(weights: number[][], temperature: number): number {
  const teachers = [teacherA, teacherB];
  let sum = 0;
  student.forEach((row, b) => {
    const q = softmax(row, temperature);
    teachers.forEach((teacher, k) => {
      sum += ((weights[b] as number[])[k] as number) * kl(softmax(teacher[b] as number[], temperature), q);
    });
  });
  return (temperature * temperature * sum) / student.length;
}

describe('multiTeacherKdLoss', () => {
  it('equals plain KD (kdLoss) with one teacher, under every policy', async () => {
    for (const policy of builtInPolicies.keys()) {
      for (const temperature of [1, 4]) {
        const options = { policy, temperature, ...(policy === 'weighted' ? { weights: [2] } : {}), step: 3, seed: 1 };
        expect(await lossValue(student, [teacherA], options)).toBeCloseTo(await kdValue(teacherA, temperature), 5);
      }
    }
  });

  it('averages the two teachers’ KD terms under uniform, and weighs them 3:1 under weighted', async () => {
    const temperature = 4;
    const [a, b] = [await kdValue(teacherA, temperature), await kdValue(teacherB, temperature)];
    expect(await lossValue(student, [teacherA, teacherB], { policy: 'uniform', temperature })).toBeCloseTo((a + b) / 2, 5);
    expect(await lossValue(student, [teacherA, teacherB], { policy: 'weighted', temperature, weights: [3, 1] })).toBeCloseTo(
      0.75 * a + 0.25 * b,
      5,
    );
  });

  it('distils from the mean of probabilities under mean-probs: T² · batchmean KL(mean ‖ student)', async () => {
    const temperature = 2;
    const expected =
      (temperature *
        temperature *
        student.reduce((sum, row, b) => {
          const pa = softmax(teacherA[b] as number[], temperature);
          const pb = softmax(teacherB[b] as number[], temperature);
          const mean = pa.map((p, c) => (p + (pb[c] as number)) / 2);
          return sum + kl(mean, softmax(row, temperature));
        }, 0)) /
      student.length;
    expect(await lossValue(student, [teacherA, teacherB], { policy: 'mean-probs', temperature })).toBeCloseTo(expected, 5);
  });

  it('distils from the softmax of the mean logits under mean-logits', async () => {
    const temperature = 3;
    const expected =
      (temperature *
        temperature *
        student.reduce((sum, row, b) => {
          const meanLogits = (teacherA[b] as number[]).map((z, c) => (z + ((teacherB[b] as number[])[c] as number)) / 2);
          return sum + kl(softmax(meanLogits, temperature), softmax(row, temperature));
        }, 0)) /
      student.length;
    expect(await lossValue(student, [teacherA, teacherB], { policy: 'mean-logits', temperature })).toBeCloseTo(expected, 5);
  });

  it('weighs each example’s KD terms by CA-MKD confidence', async () => {
    // w_bk = (1 − softmax_k(CE_bk)) / (K − 1), CE at T = 1 on the label; K = 2, so the divisor is 1.
    const weights = student.map((_, b) => {
      const exps = [teacherA, teacherB].map((teacher) => 1 / (softmax(teacher[b] as number[])[labels[b] as number] as number));
      const total = (exps[0] as number) + (exps[1] as number);
      return exps.map((e) => 1 - e / total);
    });
    const temperature = 4;
    expect(await lossValue(student, [teacherA, teacherB], { policy: 'confidence', temperature })).toBeCloseTo(
      weightedKd(weights, temperature),
      5,
    );
  });

  it('weighs each example’s KD terms by EBKD entropy', async () => {
    const temperature = 2;
    const entropy = (p: number[]) => -p.reduce((sum, pc) => sum + pc * Math.log(pc), 0);
    const weights = student.map((_, b) => {
      const h = [teacherA, teacherB].map((teacher) => entropy(softmax(teacher[b] as number[], temperature)));
      const total = (h[0] as number) + (h[1] as number);
      return h.map((value) => 1 - value / total);
    });
    expect(await lossValue(student, [teacherA, teacherB], { policy: 'entropy', temperature })).toBeCloseTo(
      weightedKd(weights, temperature),
      5,
    );
  });

  it('is the KD term of the teacher drawn for the step under random', async () => {
    const temperature = 4;
    for (const step of [0, 1, 2, 3]) {
      const chosen = Math.floor(seedrandom(`8/${step}`)() * 2);
      const expected = await kdValue(chosen === 0 ? teacherA : teacherB, temperature);
      expect(await lossValue(student, [teacherA, teacherB], { policy: 'random', temperature, step, seed: 8 })).toBeCloseTo(
        expected,
        5,
      );
    }
  });

  it('has the gradient T · (softmax(z_s/T) − target) / B under a target-combining policy', async () => {
    const temperature = 2;
    const gradient = await expectNoLeaks(async () => {
      const grads = tf.tidy(() => {
        const teachers = [tf.tensor2d(teacherA), tf.tensor2d(teacherB)];
        const labelTensor = tf.tensor1d(labels, 'int32');
        return tf.grad((z: tf.Tensor) => multiTeacherKdLoss(z, teachers, labelTensor, { policy: 'mean-probs', temperature }))(
          tf.tensor2d(student),
        );
      });
      const values = (await grads.array()) as number[][];
      grads.dispose();
      return values;
    });
    student.forEach((row, b) => {
      const q = softmax(row, temperature);
      const pa = softmax(teacherA[b] as number[], temperature);
      const pb = softmax(teacherB[b] as number[], temperature);
      q.forEach((qc, c) => {
        const target = ((pa[c] as number) + (pb[c] as number)) / 2;
        expect((gradient[b] as number[])[c]).toBeCloseTo((temperature * (qc - target)) / student.length, 6);
      });
    });
  });

  it('has the gradient T · Σ_k w_bk (softmax(z_s/T) − softmax(z_k/T)) / B under a weighting policy', async () => {
    const temperature = 3;
    const gradient = await expectNoLeaks(async () => {
      const grads = tf.tidy(() => {
        const teachers = [tf.tensor2d(teacherA), tf.tensor2d(teacherB)];
        const labelTensor = tf.tensor1d(labels, 'int32');
        return tf.grad((z: tf.Tensor) =>
          multiTeacherKdLoss(z, teachers, labelTensor, { policy: 'weighted', weights: [1, 3], temperature }),
        )(tf.tensor2d(student));
      });
      const values = (await grads.array()) as number[][];
      grads.dispose();
      return values;
    });
    student.forEach((row, b) => {
      const q = softmax(row, temperature);
      const pa = softmax(teacherA[b] as number[], temperature);
      const pb = softmax(teacherB[b] as number[], temperature);
      q.forEach((qc, c) => {
        const expected = (temperature * (0.25 * (qc - (pa[c] as number)) + 0.75 * (qc - (pb[c] as number)))) / student.length;
        expect((gradient[b] as number[])[c]).toBeCloseTo(expected, 6);
      });
    });
  });

  it('stays finite when the combined target has exact zeros', async () => {
    // e^−1000 underflows: both teachers put all mass on class 0, so the mean-probs target is exactly [1, 0, 0],
    // and KL(onehot(0) ‖ q) = −log q_0.
    const certain = [
      [1000, 0, 0],
      [1000, 0, 0],
    ];
    const value = await lossValue(student.slice(0, 2), [certain, certain], { policy: 'mean-probs', temperature: 1 });
    const expected =
      -(Math.log(softmax(student[0] as number[])[0] as number) + Math.log(softmax(student[1] as number[])[0] as number)) / 2;
    expect(value).toBeCloseTo(expected, 4);
  });

  it('rejects student logits whose shape differs from the teachers’', () => {
    const run = () =>
      tf.tidy(() =>
        multiTeacherKdLoss(tf.zeros([2, 4]), [tf.zeros([2, 3])], tf.zeros([2], 'int32'), { policy: 'uniform', temperature: 1 }),
      );
    expect(run).toThrow(DistilleryError);
    expect(run).toThrow('multiTeacherKdLoss: student logits [2, 4] and teacher logits [2, 3] differ in shape');
  });

  it('names itself when the policy or its options are wrong', () => {
    const run = (options: MultiTeacherOptions) => () =>
      tf.tidy(() => multiTeacherKdLoss(tf.zeros([1, 2]), [tf.zeros([1, 2]), tf.zeros([1, 2])], tf.zeros([1], 'int32'), options));
    expect(run({ policy: 'weighted', temperature: 1 })).toThrow(
      "multiTeacherKdLoss: weights: the 'weighted' policy needs weights, one per teacher (2)",
    );
    expect(run({ policy: 'best', temperature: 1 })).toThrow("multiTeacherKdLoss: unknown policy 'best'");
  });
});
