import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hintLoss } from './hintLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs `compute` in a tidy and returns its values, freeing the result so expectNoLeaks sees only real leaks. */
async function valuesOf(compute: () => tf.Tensor): Promise<number[]> {
  const result = tf.tidy(compute);
  const values = Array.from(await result.data());
  result.dispose();
  return values;
}

describe('hintLoss', () => {
  it('is the mean squared difference over all elements (hand-worked)', async () => {
    // f_s − f_t = [[1, 0], [−2, 3]]; squares 1 + 0 + 4 + 9 = 14; N = 4 → 14 / 4 = 3.5
    const [loss] = await expectNoLeaks(() =>
      valuesOf(() =>
        hintLoss(
          tf.tensor2d([
            [1, 2],
            [3, 4],
          ]),
          tf.tensor2d([
            [0, 2],
            [5, 1],
          ]),
        ),
      ),
    );
    expect(loss).toBeCloseTo(3.5, 6);
  });

  it('averages over batch, spatial and channel axes of NHWC maps alike', async () => {
    // 2·2·2·3 = 24 elements; f_s = 0.5 everywhere, f_t = 0 except one element = 2.5:
    // 23 · 0.25 + (0.5 − 2.5)² = 5.75 + 4 = 9.75; 9.75 / 24 = 0.40625
    const [loss] = await expectNoLeaks(() =>
      valuesOf(() => {
        const teacher = tf.buffer([2, 2, 2, 3]);
        teacher.set(2.5, 1, 0, 1, 2);
        return hintLoss(tf.fill([2, 2, 2, 3], 0.5), teacher.toTensor());
      }),
    );
    expect(loss).toBeCloseTo(0.40625, 6);
  });

  it('is zero when the features are identical', async () => {
    const [loss] = await expectNoLeaks(() =>
      valuesOf(() => {
        const feature = tf.randomNormal([3, 4, 4, 5], 0, 1, 'float32', 7);
        return hintLoss(feature, feature);
      }),
    );
    expect(loss).toBe(0);
  });

  it('has the gradient 2(f_s − f_t)/N with respect to the student feature', async () => {
    const student = [0.3, -1.2, 2.0, 0.7, -0.4, 1.1];
    const teacher = [1.0, 0.5, -0.5, 0.7, 2.2, -1.3];
    const gradient = await expectNoLeaks(() =>
      valuesOf(() => {
        const target = tf.tensor2d(teacher, [2, 3]);
        return tf.grad((feature: tf.Tensor) => hintLoss(feature, target))(tf.tensor2d(student, [2, 3]));
      }),
    );
    const expected = student.map((s, i) => (2 * (s - (teacher[i] as number))) / student.length);
    expect(gradient).toHaveLength(expected.length);
    expected.forEach((value, i) => {
      expect(gradient[i]).toBeCloseTo(value, 6);
    });
  });

  it('refuses features of different shapes with one line naming both shapes', async () => {
    await expectNoLeaks(() => {
      const student = tf.zeros([4, 8, 8, 16]);
      const teacher = tf.zeros([4, 8, 8, 32]);
      try {
        expect(() => hintLoss(student, teacher)).toThrow(DistilleryError);
        expect(() => hintLoss(student, teacher)).toThrow(
          'hintLoss: student feature [4, 8, 8, 16] and teacher feature [4, 8, 8, 32] differ in shape',
        );
      } finally {
        tf.dispose([student, teacher]);
      }
    });
  });
});
