import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FactorTransferLossOptions } from './FactorTransferLossOptions.js';
import { factorTransferLoss } from './factorTransferLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The loss's values on plain arrays, the result freed so expectNoLeaks sees only real leaks. */
async function lossValues(
  student: number[],
  teacher: number[],
  shape: number[],
  options?: FactorTransferLossOptions,
): Promise<number[]> {
  return expectNoLeaks(async () => {
    const result = tf.tidy(() => factorTransferLoss(tf.tensor(student, shape), tf.tensor(teacher, shape), options));
    const values = Array.from(await result.data());
    result.dispose();
    return values;
  });
}

/** An independent float64 factor transfer loss: the mean over examples of the mean over elements of |u − v|^p. */
function factorTransferReference(student: number[], teacher: number[], batch: number, p: 1 | 2): number {
  const size = student.length / batch;
  let total = 0;
  for (let b = 0; b < batch; b++) {
    const rows = [student, teacher].map((values) => values.slice(b * size, (b + 1) * size));
    const [s, t] = rows.map((row) => {
      const norm = Math.max(Math.sqrt(row.reduce((sum, value) => sum + value * value, 0)), 1e-12);
      return row.map((value) => value / norm);
    }) as [number[], number[]];
    total += t.reduce((sum, value, i) => sum + Math.abs(value - (s[i] as number)) ** p, 0) / size;
  }
  return total / batch;
}

// Two examples of two values: student rows [3, 4] → [0.6, 0.8] and [1, 0] → [1, 0]; teacher rows [0, 2] → [0, 1]
// and [0, −5] → [0, −1]. Differences u − v: [−0.6, 0.2] and [−1, −1].
const student = [3, 4, 1, 0];
const teacher = [0, 2, 0, -5];

describe('factorTransferLoss', () => {
  it('is the mean absolute difference of the unit-normalised factors at p = 1, worked by hand', async () => {
    // Example 1: (0.6 + 0.2)/2 = 0.4; example 2: (1 + 1)/2 = 1; batch mean 0.7.
    expect((await lossValues(student, teacher, [2, 2]))[0]).toBeCloseTo(0.7, 6);
    const perExample = await lossValues(student, teacher, [2, 2], { reduction: 'none' });
    expect(perExample).toHaveLength(2);
    expect(perExample[0]).toBeCloseTo(0.4, 6);
    expect(perExample[1]).toBeCloseTo(1, 6);
  });

  it('is the mean squared difference at p = 2, worked by hand', async () => {
    // Example 1: (0.36 + 0.04)/2 = 0.2; example 2: (1 + 1)/2 = 1; batch mean 0.6.
    expect((await lossValues(student, teacher, [2, 2], { p: 2 }))[0]).toBeCloseTo(0.6, 6);
    const perExample = await lossValues(student, teacher, [2, 2], { p: 2, reduction: 'none' });
    expect(perExample[0]).toBeCloseTo(0.2, 6);
    expect(perExample[1]).toBeCloseTo(1, 6);
  });

  it('flattens an NHWC factor per example before normalising it', async () => {
    // One [1, 2, 2, 1] example: teacher all 1 → ‖·‖ = 2 → 0.5 each; student [2, 0, 0, 0] → [1, 0, 0, 0].
    // |u − v| = [0.5, 0.5, 0.5, 0.5]: p = 1 gives 0.5, p = 2 gives 0.25.
    expect((await lossValues([2, 0, 0, 0], [1, 1, 1, 1], [1, 2, 2, 1]))[0]).toBeCloseTo(0.5, 6);
    expect((await lossValues([2, 0, 0, 0], [1, 1, 1, 1], [1, 2, 2, 1], { p: 2 }))[0]).toBeCloseTo(0.25, 6);
  });

  it('ignores the scale of either factor, and is 0 for factors that differ only by a positive scale', async () => {
    const scaled = await lossValues(
      student.map((value) => value * 7),
      teacher.map((value) => value / 3),
      [2, 2],
    );
    expect(scaled[0]).toBeCloseTo(0.7, 6);
    expect((await lossValues([1, -2, 3, 4], [2, -4, 6, 8], [1, 4]))[0]).toBeCloseTo(0, 7);
  });

  it('treats an all-zero factor as zero, as F.normalize does, with finite gradients', async () => {
    // Student row 0 → u − v = −[0, 1] for the first example: (0 + 1)/2 = 0.5; the second as before, 1.
    expect((await lossValues([0, 0, 1, 0], teacher, [2, 2]))[0]).toBeCloseTo(0.75, 6);
    const gradient = await expectNoLeaks(async () => {
      const grads = tf.tidy(() => {
        const target = tf.tensor2d(teacher, [2, 2]);
        return tf.grad((x: tf.Tensor) => factorTransferLoss(x, target, { p: 2 }))(tf.zeros([2, 2]));
      });
      const values = Array.from(await grads.data());
      grads.dispose();
      return values;
    });
    expect(gradient.every(Number.isFinite)).toBe(true);
  });

  it('has the gradient of finite differences with respect to the student factor, for p = 1 and p = 2', async () => {
    const shape = [2, 1, 2, 3];
    const studentValues = [0.3, -1.2, 2.0, 0.7, -0.4, 1.1, -0.8, 0.25, 1.6, 0.05, -2.1, 0.9];
    const teacherValues = [1.0, 0.5, -0.5, 0.7, 2.2, -1.3, 0.4, -0.6, 1.1, 0.9, -1.5, 0.0];
    const step = 1e-6;
    for (const p of [1, 2] as const) {
      const expected = studentValues.map((_, i) => {
        const shifted = (delta: number) => studentValues.map((value, j) => (j === i ? value + delta : value));
        return (
          (factorTransferReference(shifted(step), teacherValues, 2, p) -
            factorTransferReference(shifted(-step), teacherValues, 2, p)) /
          (2 * step)
        );
      });
      const gradient = await expectNoLeaks(async () => {
        const grads = tf.tidy(() => {
          const target = tf.tensor(teacherValues, shape);
          return tf.grad((x: tf.Tensor) => factorTransferLoss(x, target, { p }))(tf.tensor(studentValues, shape));
        });
        const values = Array.from(await grads.data());
        grads.dispose();
        return values;
      });
      expected.forEach((value, i) => {
        expect(gradient[i]).toBeCloseTo(value, 4);
      });
      // The reference agrees with the tfjs value too.
      const value = (await lossValues(studentValues, teacherValues, shape, { p }))[0] as number;
      expect(value).toBeCloseTo(factorTransferReference(studentValues, teacherValues, 2, p), 6);
    }
  });

  it('refuses factors of different shapes, a factor without a batch axis, and bad options, in one line', () => {
    const before = tf.memory().numTensors;
    const a = tf.ones([2, 2, 2, 3]);
    const b = tf.ones([2, 2, 2, 4]);
    const flat = tf.ones([3]);
    expect(() => factorTransferLoss(a, b)).toThrow(DistilleryError);
    expect(() => factorTransferLoss(a, b)).toThrow(
      'factorTransferLoss: student factor [2, 2, 2, 3] and teacher factor [2, 2, 2, 4] differ in shape',
    );
    expect(() => factorTransferLoss(flat, flat)).toThrow(
      'factorTransferLoss: expected factors [B, …] with at least one value each, got student factor [3] and teacher factor [3]',
    );
    expect(() => factorTransferLoss(a, a, { p: 3 as 1 })).toThrow('factorTransferLoss: p must be 1 or 2, got 3');
    expect(() => factorTransferLoss(a, a, { reduction: 'sum' as 'mean' })).toThrow(
      "factorTransferLoss: reduction must be 'mean' or 'none', got 'sum'",
    );
    tf.dispose([a, b, flat]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
