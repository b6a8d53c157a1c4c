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

/** f_s and f_t of the gradient checks, [2, 3] each. */
const gradientStudent = [0.3, -1.2, 2.0, 0.7, -0.4, 1.1];
const gradientTeacher = [1.0, 0.5, -0.5, 0.7, 2.2, -1.3];

/** ∂(loss(f_s, f_t))/∂f_s at the values above, through `loss`, as plain numbers; checks nothing leaks. */
function gradientOf(loss: (student: tf.Tensor, teacher: tf.Tensor) => tf.Tensor): Promise<number[]> {
  return expectNoLeaks(() =>
    valuesOf(() => {
      const target = tf.tensor2d(gradientTeacher, [2, 3]);
      return tf.grad((feature: tf.Tensor) => tf.sum(loss(feature, target)))(tf.tensor2d(gradientStudent, [2, 3]));
    }),
  );
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
    const gradient = await gradientOf((student, teacher) => hintLoss(student, teacher));
    const expected = gradientStudent.map((s, i) => (2 * (s - (gradientTeacher[i] as number))) / gradientStudent.length);
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

describe("hintLoss with reduction 'none'", () => {
  it('gives each example the mean squared difference over its own elements, worked by hand', async () => {
    // Example 1: ((1 − 0)² + (2 − 0)²) / 2 = 2.5; example 2: ((0 − 0)² + (0 − 2)²) / 2 = 2.
    const losses = await expectNoLeaks(() =>
      valuesOf(() =>
        hintLoss(
          tf.tensor2d([
            [1, 2],
            [0, 0],
          ]),
          tf.tensor2d([
            [0, 0],
            [0, 2],
          ]),
          { reduction: 'none' },
        ),
      ),
    );
    expect(losses).toEqual([2.5, 2]);
  });

  it('averages over the H, W and C of each NHWC example (hand-worked)', async () => {
    // As the 'mean' case above: 2 examples of 2·2·3 = 12 elements, f_s = 0.5, f_t = 0 but for one 2.5 in example 2.
    // Example 1: 12 · 0.25 / 12 = 0.25; example 2: (11 · 0.25 + 4) / 12 = 6.75 / 12 = 0.5625. Their mean is 0.40625.
    const losses = await expectNoLeaks(() =>
      valuesOf(() => {
        const teacher = tf.buffer([2, 2, 2, 3]);
        teacher.set(2.5, 1, 0, 1, 2);
        return hintLoss(tf.fill([2, 2, 2, 3], 0.5), teacher.toTensor(), { reduction: 'none' });
      }),
    );
    expect(losses).toHaveLength(2);
    expect(losses[0]).toBeCloseTo(0.25, 6);
    expect(losses[1]).toBeCloseTo(0.5625, 6);
  });

  it("averages over the batch to the 'mean' reduction, for vectors and NHWC maps", async () => {
    for (const shape of [
      [4, 7],
      [3, 2, 2, 4],
    ]) {
      const [perExampleMean, batchMean, explicitMean] = await expectNoLeaks(() =>
        valuesOf(() => {
          const student = tf.randomNormal(shape, 0, 1, 'float32', 1);
          const teacher = tf.randomNormal(shape, 0, 1, 'float32', 2);
          return tf.stack([
            tf.mean(hintLoss(student, teacher, { reduction: 'none' })),
            hintLoss(student, teacher),
            hintLoss(student, teacher, { reduction: 'mean' }),
          ]);
        }),
      );
      expect(perExampleMean).toBeCloseTo(batchMean as number, 6);
      expect(explicitMean).toBe(batchMean);
    }
  });

  it('has the gradient 2(f_s − f_t)/n of each example’s loss, n its element count', async () => {
    // Σ_b hint_b, with n = 3 elements per example.
    const gradient = await gradientOf((student, teacher) => hintLoss(student, teacher, { reduction: 'none' }));
    gradientStudent.forEach((s, i) => {
      expect(gradient[i]).toBeCloseTo((2 * (s - (gradientTeacher[i] as number))) / 3, 6);
    });
  });

  it('refuses scalars, which have no batch axis, and reductions it does not know', () => {
    const scalar = tf.scalar(1);
    const matrix = tf.zeros([2, 2]);
    expect(() => hintLoss(scalar, scalar, { reduction: 'none' })).toThrow(
      "hintLoss: reduction 'none' needs features with a batch axis [B, ...], got student feature [] and teacher feature []",
    );
    const reduction = 'sum' as 'mean';
    expect(() => hintLoss(matrix, matrix, { reduction })).toThrow("hintLoss: reduction must be 'mean' or 'none', got 'sum'");
    tf.dispose([scalar, matrix]);
  });
});
