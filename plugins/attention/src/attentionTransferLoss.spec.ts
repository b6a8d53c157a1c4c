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
