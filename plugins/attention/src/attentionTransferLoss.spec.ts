import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; tfjs-layers registers them all.
import '@tensorflow/tfjs-layers';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { attentionTransferLoss } from './attentionTransferLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Student [1, 2, 2, 2]: mean_c A² = [1, 2, 2, 4], norm 5 → at = [0.2, 0.4, 0.4, 0.8]. */
const student = [
  [
    [
      [1, 1],
      [2, 0],
    ],
    [
      [0, -2],
      [2, -2],
    ],
  ],
];
/** Teacher [1, 2, 2, 4]: mean_c A² = [16/4, 8/4, 8/4, 4/4] = [4, 2, 2, 1], norm 5 → at = [0.8, 0.4, 0.4, 0.2]. */
const teacher = [
  [
    [
      [2, 2, 2, 2],
      [2, 2, 0, 0],
    ],
    [
      [0, 0, 2, -2],
      [1, -1, 1, 1],
    ],
  ],
];

/** normalize(mean_c |A|^p) of example b, in plain numbers, with F.normalize's eps 1e-12. */
function referenceMap(values: ArrayLike<number>, shape: readonly number[], b: number, p: number): number[] {
  const [, height, width, channels] = shape as [number, number, number, number];
  const positions = height * width;
  const row = Array.from({ length: positions }, (_, j) => {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += Math.abs(values[(b * positions + j) * channels + c] as number) ** p;
    return sum / channels;
  });
  const norm = Math.max(Math.sqrt(row.reduce((total, value) => total + value * value, 0)), 1e-12);
  return row.map((value) => value / norm);
}

/** mean over batch and positions of (at(s) − at(t))², in plain numbers. */
function referenceLoss(s: tf.Tensor, t: tf.Tensor, p: number): number {
  const [batch, height, width] = s.shape as [number, number, number, number];
  const studentValues = s.dataSync();
  const teacherValues = t.dataSync();
  let sum = 0;
  for (let b = 0; b < batch; b++) {
    const studentMap = referenceMap(studentValues, s.shape, b, p);
    const teacherMap = referenceMap(teacherValues, t.shape, b, p);
    studentMap.forEach((value, j) => {
      sum += (value - (teacherMap[j] as number)) ** 2;
    });
  }
  return sum / (batch * height * width);
}

function lossValue(studentFeature: tf.Tensor, teacherFeature: tf.Tensor, p?: number): number {
  const loss = attentionTransferLoss(studentFeature, teacherFeature, p === undefined ? {} : { p });
  const value = loss.dataSync()[0] as number;
  loss.dispose();
  return value;
}

describe('attentionTransferLoss', () => {
  it('is zero when the feature maps are identical', async () => {
    const value = await expectNoLeaks(() => {
      const feature = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 5);
      const result = lossValue(feature, feature);
      feature.dispose();
      return result;
    });
    expect(value).toBe(0);
  });

  it('averages the squared map difference over batch and positions (hand-worked, channel counts 2 vs 4)', async () => {
    // at(s) − at(t) = [0.2 − 0.8, 0, 0, 0.8 − 0.2] = [−0.6, 0, 0, 0.6]
    // mean of squares over 1 example × 4 positions = (0.36 + 0.36) / 4 = 0.18
    const value = await expectNoLeaks(() => {
      const s = tf.tensor4d(student);
      const t = tf.tensor4d(teacher);
      const result = lossValue(s, t);
      tf.dispose([s, t]);
      return result;
    });
    expect(value).toBeCloseTo(0.18, 6);
  });

  it('matches the formula in plain numbers for a random batch, for p = 2 and p = 4', async () => {
    for (const p of [2, 4]) {
      const { values, expected } = await expectNoLeaks(() => {
        const s = tf.randomNormal([3, 4, 4, 3], 0, 1, 'float32', 1);
        const t = tf.randomNormal([3, 4, 4, 6], 0, 1, 'float32', 2);
        const result = { values: lossValue(s, t, p), expected: referenceLoss(s, t, p) };
        tf.dispose([s, t]);
        return result;
      });
      expect(values).toBeCloseTo(expected, 6);
    }
  });

  it('is zero when the student map is a positive multiple of the teacher map', async () => {
    // Student = 3 · teacher, so mean_c A_s² = 9 · mean_c A_t²; normalization removes the factor 9.
    const value = await expectNoLeaks(() => {
      const t = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 9);
      const s = tf.mul(t, 3);
      const result = lossValue(s, t);
      tf.dispose([s, t]);
      return result;
    });
    expect(value).toBeCloseTo(0, 7);
  });

  it('passes gradients to the student feature, and a step against them lowers the loss', async () => {
    const { gradient, before, after } = await expectNoLeaks(() => {
      const s = tf.tensor4d(student);
      const t = tf.tensor4d(teacher);
      const grad = tf.grad((x: tf.Tensor) => attentionTransferLoss(x, t))(s);
      const stepped = tf.tidy(() => tf.sub(s, tf.mul(grad, 0.1)));
      const result = { gradient: Array.from(grad.dataSync()), before: lossValue(s, t), after: lossValue(stepped, t) };
      tf.dispose([s, t, grad, stepped]);
      return result;
    });
    expect(gradient.some((value) => value !== 0)).toBe(true);
    for (const value of gradient) expect(Number.isFinite(value)).toBe(true);
    expect(after).toBeLessThan(before);
  });

  it('refuses feature maps of different spatial size, naming both shapes', () => {
    const s = tf.zeros([2, 4, 4, 8]);
    const t = tf.zeros([2, 2, 2, 16]);
    expect(() => attentionTransferLoss(s, t)).toThrow(DistilleryError);
    expect(() => attentionTransferLoss(s, t)).toThrow(
      'attentionTransferLoss: student feature [2, 4, 4, 8] and teacher feature [2, 2, 2, 16] differ in spatial size (4×4 vs 2×2)',
    );
    tf.dispose([s, t]);
  });

  it('refuses different batch sizes and features that are not NHWC', () => {
    const s = tf.zeros([2, 2, 2, 1]);
    const t = tf.zeros([3, 2, 2, 1]);
    const dense = tf.zeros([2, 4]);
    expect(() => attentionTransferLoss(s, t)).toThrow(/differ in batch size/);
    expect(() => attentionTransferLoss(s, dense)).toThrow(/expected NHWC feature maps \[B, H, W, C\].*\[2, 4\]/);
    tf.dispose([s, t, dense]);
  });
});

describe("attentionTransferLoss with reduction 'none'", () => {
  /** The per-example losses [B] of fresh tensors of the given values and shapes, as plain numbers; checks nothing leaks. */
  function perExample(
    student: { values: number[]; shape: [number, number, number, number] },
    teacher: { values: number[]; shape: [number, number, number, number] },
    p?: number,
  ): Promise<{ shape: number[]; values: number[] }> {
    return expectNoLeaks(() => {
      const s = tf.tensor4d(student.values, student.shape);
      const t = tf.tensor4d(teacher.values, teacher.shape);
      const losses = attentionTransferLoss(s, t, { reduction: 'none', ...(p === undefined ? {} : { p }) });
      const result = { shape: losses.shape, values: Array.from(losses.dataSync()) };
      tf.dispose([s, t, losses]);
      return result;
    });
  }

  it('gives each example the mean over its positions, worked by hand', async () => {
    // 1×2 maps, one channel. Example 1: student A = [1, 0] → Q = A² = [1, 0], normalised [1, 0]; teacher
    // A = [1, 1] → Q = [1, 1] → [1/√2, 1/√2]. Loss = ((1 − 1/√2)² + (1/√2)²) / 2 = (2 − √2) / 2 ≈ 0.29289.
    // Example 2: student and teacher both [3, 4] → identical maps → 0.
    const { shape, values } = await perExample(
      { values: [1, 0, 3, 4], shape: [2, 1, 2, 1] },
      { values: [1, 1, 3, 4], shape: [2, 1, 2, 1] },
    );
    expect(shape).toEqual([2]);
    expect(values[0]).toBeCloseTo((2 - Math.SQRT2) / 2, 6);
    expect(values[1]).toBeCloseTo(0, 6);
  });

  it('gives the one example of the hand-worked batch its 0.18, channel counts 2 vs 4', async () => {
    const { values } = await perExample(
      { values: student.flat(3), shape: [1, 2, 2, 2] },
      { values: teacher.flat(3), shape: [1, 2, 2, 4] },
    );
    expect(values).toHaveLength(1);
    expect(values[0]).toBeCloseTo(0.18, 6);
  });

  it("averages over the batch to the 'mean' reduction, for p = 2 and p = 3", async () => {
    for (const p of [2, 3]) {
      const { perExampleMean, batchMean } = await expectNoLeaks(() => {
        const s = tf.randomNormal([3, 4, 4, 2], 0, 1, 'float32', 3);
        const t = tf.randomNormal([3, 4, 4, 6], 0, 1, 'float32', 4);
        const losses = attentionTransferLoss(s, t, { p, reduction: 'none' });
        const mean = attentionTransferLoss(s, t, { p, reduction: 'mean' });
        const result = {
          perExampleMean: Array.from(losses.dataSync()).reduce((sum, value) => sum + value, 0) / 3,
          batchMean: mean.dataSync()[0] as number,
        };
        tf.dispose([s, t, losses, mean]);
        return result;
      });
      expect(perExampleMean).toBeCloseTo(batchMean, 6);
    }
  });

  it("is the default 'mean' reduction's value when reduction is 'mean'", async () => {
    const [byDefault, explicit] = await expectNoLeaks(() => {
      const s = tf.tensor4d(student);
      const t = tf.tensor4d(teacher);
      const losses = [attentionTransferLoss(s, t), attentionTransferLoss(s, t, { reduction: 'mean' })];
      const result = losses.map((loss) => loss.dataSync()[0] as number);
      tf.dispose([s, t, ...losses]);
      return result;
    });
    expect(explicit).toBe(byDefault);
  });

  it('passes gradients to the student feature of each example', async () => {
    const gradient = await expectNoLeaks(() => {
      const s = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 5);
      const t = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 6);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(attentionTransferLoss(x, t, { reduction: 'none' })))(s);
      const values = grad.arraySync() as number[][][][];
      tf.dispose([s, t, grad]);
      return values;
    });
    for (const example of gradient) expect(example.flat(2).some((value) => value !== 0)).toBe(true);
  });

  it('refuses a reduction it does not know', () => {
    const s = tf.zeros([1, 2, 2, 1]);
    const reduction = 'sum' as 'mean';
    expect(() => attentionTransferLoss(s, s, { reduction })).toThrow(
      "attentionTransferLoss: reduction must be 'mean' or 'none', got 'sum'",
    );
    s.dispose();
  });
});
