import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; tfjs-layers registers them all.
import '@tensorflow/tfjs-layers';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchSpatialSize } from './matchSpatialSize.js';
import type { ResizeMethod } from './ResizeMethod.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i] as number, digits);
}

interface Matched {
  readonly student: { shape: number[]; values: number[] };
  readonly teacher: { shape: number[]; values: number[] };
}

/** Matches fresh tensors of the given values and shapes, and returns plain values; checks nothing leaks. */
function match(
  student: { values: number[]; shape: [number, number, number, number] },
  teacher: { values: number[]; shape: [number, number, number, number] },
  method?: ResizeMethod,
): Promise<Matched> {
  return expectNoLeaks(() => {
    const s = tf.tensor4d(student.values, student.shape);
    const t = tf.tensor4d(teacher.values, teacher.shape);
    const [matchedStudent, matchedTeacher] = matchSpatialSize(s, t, method);
    const result = {
      student: { shape: matchedStudent.shape, values: Array.from(matchedStudent.dataSync()) },
      teacher: { shape: matchedTeacher.shape, values: Array.from(matchedTeacher.dataSync()) },
    };
    tf.dispose([s, t, matchedStudent, matchedTeacher]);
    return result;
  });
}

const oneToSixteen = Array.from({ length: 16 }, (_, i) => i + 1);

describe('matchSpatialSize', () => {
  it('average-pools the larger student map down to the teacher size by default, leaving channels alone', async () => {
    // 1..16 in 4×4, 2×2 windows: (1+2+5+6)/4 = 3.5, (3+4+7+8)/4 = 5.5, (9+10+13+14)/4 = 11.5, (11+12+15+16)/4 = 13.5
    const teacher = Array.from({ length: 12 }, (_, i) => i);
    const { student: s, teacher: t } = await match(
      { values: oneToSixteen, shape: [1, 4, 4, 1] },
      { values: teacher, shape: [1, 2, 2, 3] },
    );
    expect(s.shape).toEqual([1, 2, 2, 1]);
    expectClose(s.values, [3.5, 5.5, 11.5, 13.5]);
    expect(t.shape).toEqual([1, 2, 2, 3]);
    expect(t.values).toEqual(teacher);
  });

  it('average-pools the teacher map instead when it is the larger, with a different factor per axis', async () => {
    // Teacher 2×4 → student 1×2: windows 2×2 over rows {1..4, 5..8}: (1+2+5+6)/4 = 3.5, (3+4+7+8)/4 = 5.5
    const { student: s, teacher: t } = await match(
      { values: [7, 9], shape: [1, 1, 2, 1] },
      { values: [1, 2, 3, 4, 5, 6, 7, 8], shape: [1, 2, 4, 1] },
      'avgpool',
    );
    expect(s.values).toEqual([7, 9]);
    expect(t.shape).toEqual([1, 1, 2, 1]);
    expectClose(t.values, [3.5, 5.5]);
  });

  it('resizes bilinearly, with half-pixel centres, when asked', async () => {
    // 3×3 ramp x(r, c) = 9r + 3c → 2×2 samples at 0.25 and 1.75: 3, 7.5, 16.5, 21 (bilinear is exact on a ramp)
    const { student: s } = await match(
      { values: [0, 3, 6, 9, 12, 15, 18, 21, 24], shape: [1, 3, 3, 1] },
      { values: [0, 0, 0, 0], shape: [1, 2, 2, 1] },
      'bilinear',
    );
    expect(s.shape).toEqual([1, 2, 2, 1]);
    expectClose(s.values, [3, 7.5, 16.5, 21]);
  });

  it('returns copies of both maps when they already have one size', async () => {
    const { student: s, teacher: t } = await match(
      { values: [1, 2, 3, 4], shape: [1, 2, 2, 1] },
      { values: [5, 6, 7, 8, 9, 10, 11, 12], shape: [1, 2, 2, 2] },
    );
    expect(s.values).toEqual([1, 2, 3, 4]);
    expect(t.values).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('passes gradients through the pooled student map', async () => {
    // L = Σ avgpool(x): every input pixel counts 1/4 towards one output.
    const gradient = await expectNoLeaks(() => {
      const s = tf.tensor4d(oneToSixteen, [1, 4, 4, 1]);
      const t = tf.zeros([1, 2, 2, 1]);
      const grad = tf.grad((x: tf.Tensor) => {
        const [matched, other] = matchSpatialSize(x, t);
        other.dispose();
        return tf.sum(matched);
      })(s);
      const values = Array.from(grad.dataSync());
      tf.dispose([s, t, grad]);
      return values;
    });
    expect(gradient).toEqual(Array.from({ length: 16 }, () => 0.25));
  });

  it('refuses avgpool when the sizes are not integer multiples', () => {
    const s = tf.zeros([1, 3, 3, 1]);
    const t = tf.zeros([1, 2, 2, 1]);
    expect(() => matchSpatialSize(s, t)).toThrow(DistilleryError);
    expect(() => matchSpatialSize(s, t, 'avgpool')).toThrow(
      "matchSpatialSize: student map 3×3, teacher map 2×2: avgpool needs sizes that are integer multiples of each other; use resize: 'bilinear'",
    );
    tf.dispose([s, t]);
  });

  it('refuses maps that are each larger in one dimension, and features that are not NHWC', () => {
    const tall = tf.zeros([1, 4, 2, 1]);
    const wide = tf.zeros([1, 2, 4, 1]);
    const dense = tf.zeros([1, 8]);
    expect(() => matchSpatialSize(tall, wide, 'bilinear')).toThrow(/neither is at least as large as the other/);
    expect(() => matchSpatialSize(tall, dense)).toThrow(/matchSpatialSize: expected NHWC feature maps.*\[1, 8\]/);
    tf.dispose([tall, wide, dense]);
  });
});
