import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtInPolicies } from './builtInPolicies.js';
import { combineTeachers } from './combineTeachers.js';
import type { MultiTeacherOptions } from './MultiTeacherOptions.js';
import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ln3 = Math.log(3);
// Teacher A: softmax([ln 3, 0]) = [3/4, 1/4]; teacher B: [1/4, 3/4]; labels [0, 1].
const teacherA = [
  [ln3, 0],
  [ln3, 0],
];
const teacherB = [
  [0, ln3],
  [0, ln3],
];

async function combined(
  teachers: number[][][],
  labels: number[],
  options: MultiTeacherOptions,
): Promise<{ target: number[][]; weights: number[][] }> {
  return expectNoLeaks(async () => {
    const result = tf.tidy(() => {
      const { target, weights } = combineTeachers(
        teachers.map((rows) => tf.tensor2d(rows)),
        tf.tensor1d(labels, 'int32'),
        options,
      );
      return [target, weights];
    });
    const [target, weights] = (await Promise.all(result.map((tensor) => tensor.array()))) as number[][][];
    tf.dispose(result);
    return { target: target as number[][], weights: weights as number[][] };
  });
}

function expectRowsClose(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, b) => {
    row.forEach((value, c) => {
      expect(value).toBeCloseTo((expected[b] as number[])[c] as number, 5);
    });
  });
}

describe('combineTeachers', () => {
  it('gives the mean-probs target and uniform weights', async () => {
    // T = 1: ([3/4, 1/4] + [1/4, 3/4]) / 2 = [1/2, 1/2] on both examples.
    const { target, weights } = await combined([teacherA, teacherB], [0, 1], { policy: 'mean-probs', temperature: 1 });
    expectRowsClose(target, [
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    expectRowsClose(weights, [
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
  });

  it('gives the mean-logits target', async () => {
    // Mean logits of [2 ln 3, 0] and [0, 0] = [ln 3, 0] → [3/4, 1/4].
    const { target } = await combined([[[2 * ln3, 0]], [[0, 0]]], [0], { policy: 'mean-logits', temperature: 1 });
    expectRowsClose(target, [[3 / 4, 1 / 4]]);
  });

  it('mixes the teachers’ softened probabilities with the policy’s weights: Σ_k w_bk softmax(z_k/T)', async () => {
    // confidence: w = [3/4, 1/4] on example 1 (label 0), [1/4, 3/4] on example 2 (label 1) — see confidencePolicy.spec.
    // Example 1: 3/4 · [3/4, 1/4] + 1/4 · [1/4, 3/4] = [10/16, 6/16] = [5/8, 3/8]; example 2 mirrors it.
    const { target, weights } = await combined([teacherA, teacherB], [0, 1], { policy: 'confidence', temperature: 1 });
    expectRowsClose(weights, [
      [3 / 4, 1 / 4],
      [1 / 4, 3 / 4],
    ]);
    expectRowsClose(target, [
      [5 / 8, 3 / 8],
      [3 / 8, 5 / 8],
    ]);
  });

  it('passes the configured weights to weighted', async () => {
    // [1, 3] / 4 at T = 1: 1/4 · [3/4, 1/4] + 3/4 · [1/4, 3/4] = [6/16, 10/16].
    const { target, weights } = await combined([teacherA, teacherB], [0, 1], {
      policy: 'weighted',
      temperature: 1,
      weights: [1, 3],
    });
    expectRowsClose(weights, [
      [0.25, 0.75],
      [0.25, 0.75],
    ]);
    expectRowsClose(target, [
      [3 / 8, 5 / 8],
      [3 / 8, 5 / 8],
    ]);
  });

  it('gives every built-in policy weights [B, K] with rows summing to 1 and a target of probabilities', async () => {
    const teachers = [
      [
        [2, -1, 0.5],
        [0, 0, 3],
      ],
      [
        [-1, 4, 0],
        [1, 2, 3],
      ],
      [
        [0.3, 0.2, 0.1],
        [5, -5, 0],
      ],
    ];
    for (const key of builtInPolicies.keys()) {
      const { target, weights } = await combined(teachers, [0, 2], {
        policy: key,
        temperature: 2,
        ...(key === 'weighted' ? { weights: [1, 2, 3] } : {}),
      });
      expect(weights.map((row) => row.length)).toEqual([3, 3]);
      for (const row of weights) {
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        for (const w of row) expect(w).toBeGreaterThanOrEqual(0);
      }
      for (const row of target) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it('uses a policy object of one’s own', async () => {
    const lastTeacher: TeacherWeightingPolicy = {
      key: 'last-teacher',
      description: 'all weight on the last teacher',
      kind: 'weights',
      weights: ({ teacherLogits }) =>
        tf.tidy(() => {
          const row = teacherLogits.map((_, k) => (k === teacherLogits.length - 1 ? 1 : 0));
          return tf.tile(tf.tensor2d([row]), [teacherLogits[0]?.shape[0] ?? 0, 1]) as tf.Tensor2D;
        }),
    };
    const { target } = await combined([teacherA, teacherB], [0, 1], { policy: lastTeacher, temperature: 1 });
    expectRowsClose(target, [
      [1 / 4, 3 / 4],
      [1 / 4, 3 / 4],
    ]);
  });

  it('names an unknown policy and lists the built-in ones', () => {
    const run = () => combineTeachers([tf.zeros([1, 2])], tf.zeros([1], 'int32'), { policy: 'median', temperature: 1 });
    expect(run).toThrow(DistilleryError);
    expect(run).toThrow(
      "combineTeachers: unknown policy 'median'; registered: confidence, entropy, mean-logits, mean-probs, random, uniform, weighted",
    );
  });

  it('checks the policy’s options', () => {
    const run = (options: MultiTeacherOptions) => () =>
      tf.tidy(() => combineTeachers([tf.zeros([1, 2]), tf.zeros([1, 2])], tf.zeros([1], 'int32'), options));
    expect(run({ policy: 'weighted', temperature: 1, weights: [1] })).toThrow(
      'combineTeachers: weights: expected one weight per teacher (2), got 1',
    );
    expect(run({ policy: 'entropy', temperature: 1, policyOptions: { floor: 0.1 } })).toThrow(
      "combineTeachers: policyOptions.floor: the 'entropy' policy takes no option 'floor'",
    );
  });

  it('rejects teachers of different shapes, labels that do not fit, and a bad temperature', () => {
    const labels = tf.zeros([2], 'int32');
    const options = { policy: 'uniform', temperature: 1 };
    expect(() => combineTeachers([], labels, options)).toThrow(
      'combineTeachers: expected the logits of at least one teacher, got none',
    );
    expect(() => combineTeachers([tf.zeros([2, 3]), tf.zeros([2, 4])], labels, options)).toThrow(
      'combineTeachers: teacher 1 logits [2, 4] and teacher 0 logits [2, 3] differ in shape',
    );
    expect(() => combineTeachers([tf.zeros([2, 3, 1])], labels, options)).toThrow(
      'combineTeachers: expected teacher logits of shape [B, C], got teacher 0 [2, 3, 1]',
    );
    expect(() => combineTeachers([tf.zeros([3, 3])], labels, options)).toThrow(
      'combineTeachers: labels [2] do not match teacher logits [3, 3]; expected one class index per example, shape [3]',
    );
    expect(() => combineTeachers([tf.zeros([2, 3])], tf.zeros([2]), options)).toThrow(
      'combineTeachers: labels must be int32 class indices, got float32',
    );
    expect(() => combineTeachers([tf.zeros([2, 3])], labels, { policy: 'uniform', temperature: 0 })).toThrow(
      'combineTeachers: temperature must be a finite positive number, got 0',
    );
  });

  it('names a policy of one’s own whose weights have the wrong shape, leaking nothing', async () => {
    const wrong: TeacherWeightingPolicy = {
      key: 'wrong-shape',
      description: 'returns [B, K + 1]',
      kind: 'weights',
      weights: ({ teacherLogits }) => tf.ones([teacherLogits[0]?.shape[0] ?? 0, teacherLogits.length + 1]) as tf.Tensor2D,
    };
    const teacher = tf.zeros([2, 3]);
    const labels = tf.zeros([2], 'int32');
    await expectNoLeaks(() => {
      expect(() => combineTeachers([teacher], labels, { policy: wrong, temperature: 1 })).toThrow(
        "policy 'wrong-shape' returned weights [2, 2]; expected [B, K] = [2, 1]",
      );
    });
    tf.dispose([teacher, labels]);
  });
});
