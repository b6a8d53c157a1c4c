import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError, type TapShapes } from '@distillery/core';
import { creationContext, distillationContext, expectNoLeaks, strategyLoss, strategyLossParts } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PairRelationSpec } from './PairRelationSpec.js';
import { pairRelationStrategy } from './pairRelationStrategy.js';

const context = creationContext({ path: 'strategies[2].options', teacherNames: ['wide', 'deep'] });

let studentLogits: tf.Tensor2D;
let teacherLogits: tf.Tensor2D;
let labels: tf.Tensor1D;
let studentA: tf.Tensor2D;
let studentB: tf.Tensor4D;
let teacherX: tf.Tensor2D;
let teacherY: tf.Tensor2D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // Sums: student logits 3, teacher logits 1; a 10, b 4, x 2, y −3.
  studentLogits = tf.tensor2d([1, 0, 2, 0], [2, 2]);
  teacherLogits = tf.tensor2d([1, 1, -1, 0], [2, 2]);
  labels = tf.tensor1d([0, 1], 'int32');
  studentA = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  studentB = tf.tensor4d([1, 1, 1, 1], [2, 1, 1, 2]);
  teacherX = tf.tensor2d([0.5, 0.5, 0.5, 0.5], [2, 2]);
  teacherY = tf.tensor2d([-1, -1, -1, 0, 0, 0], [2, 3]);
});

afterAll(() => {
  tf.dispose([studentLogits, teacherLogits, labels, studentA, studentB, teacherX, teacherY]);
});

/** Terms whose values are easy to follow by hand: gap = Σ student − Σ teacher, spread = Σ student². */
const sumTerms = (student: tf.Tensor, teacher: tf.Tensor) => ({
  gap: tf.sub(tf.sum(student), tf.sum(teacher)) as tf.Scalar,
  spread: tf.sum(tf.square(student)) as tf.Scalar,
});

function strategy(overrides: Partial<PairRelationSpec> = {}) {
  return pairRelationStrategy({
    key: 'relation.test',
    context,
    teacher: 'deep',
    pairs: undefined,
    termsOf: sumTerms,
    totalOf: ({ gap, spread }) => tf.add(tf.mul(gap as tf.Scalar, 2), spread as tf.Scalar) as tf.Scalar,
    ...overrides,
  });
}

const batch = () =>
  distillationContext({
    student: { logits: studentLogits, features: { a: studentA, b: studentB } },
    teachers: {
      wide: { logits: teacherLogits, features: {} },
      deep: { logits: teacherLogits, features: { x: teacherX, y: teacherY } },
    },
    labels,
  });

const twoPairs = [
  { student: 'a', teacher: 'x' },
  { student: 'b', teacher: 'y' },
];

describe('pairRelationStrategy', () => {
  it('taps nothing and relates the two logits when there are no pairs', async () => {
    const relation = strategy();
    expect(relation.key).toBe('relation.test');
    expect(relation.taps).toBeUndefined();
    expect(relation.lossParts).toBeUndefined();
    expect(relation.variables).toBeUndefined();
    // gap = 3 − 1 = 2, spread = 1 + 4 = 5: total 2 · 2 + 5 = 9.
    expect(await strategyLoss(relation, batch())).toBeCloseTo(9, 6);
  });

  it("taps each pair's layers once, on the strategy's teacher", () => {
    const relation = strategy({
      pairs: [
        { student: 'a', teacher: 'x' },
        { student: 'b', teacher: 'x' },
        { student: 'a', teacher: 'y' },
      ],
    });
    expect(relation.taps).toEqual({ student: ['a', 'b'], teachers: { deep: ['x', 'y'] } });
  });

  it('averages each term over the pairs, then totals the means', async () => {
    const relation = strategy({ pairs: twoPairs });
    // Pair a–x: gap 10 − 2 = 8, spread 30; pair b–y: gap 4 − (−3) = 7, spread 4.
    // Means: gap 7.5, spread 17; total 2 · 7.5 + 17 = 32.
    expect(await strategyLoss(relation, batch())).toBeCloseTo(32, 5);
  });

  it('reports the declared parts as the pair means, beside the total', async () => {
    const relation = strategy({ pairs: twoPairs, lossParts: ['gap', 'spread'] });
    expect(relation.lossParts).toEqual(['gap', 'spread']);
    const reported = await strategyLossParts(relation, batch());
    expect(reported.total).toBeCloseTo(32, 5);
    expect(reported.parts.gap).toBeCloseTo(7.5, 5);
    expect(reported.parts.spread).toBeCloseTo(17, 5);
  });

  it('checks every pair’s tapped shapes at build, naming the pair', () => {
    const seen: string[] = [];
    const relation = strategy({
      pairs: twoPairs,
      checkShapes: (student, teacher, where) => {
        seen.push(`${where} ${JSON.stringify(student)} ${JSON.stringify(teacher)}`);
        if (student.length === 4) throw new DistilleryError(`${where}: not a vector`, where);
      },
    });
    const shapes: TapShapes = {
      student: { a: [null, 2], b: [null, 1, 1, 2] },
      teachers: { deep: { x: [null, 2], y: [null, 3] } },
      numClasses: 2,
    };
    expect(() => relation.build?.(shapes)).toThrow('strategies[2].options.pairs[1]: not a vector');
    expect(seen).toEqual([
      'strategies[2].options.pairs[0] [null,2] [null,2]',
      'strategies[2].options.pairs[1] [null,1,1,2] [null,3]',
    ]);
  });

  it('fails at build when the kernel gave no shape for a tapped layer', () => {
    const relation = strategy({ pairs: twoPairs });
    const shapes: TapShapes = { student: { a: [null, 2], b: [null, 2] }, teachers: { deep: { x: [null, 2] } }, numClasses: 2 };
    expect(() => relation.build?.(shapes)).toThrow('strategies[2].options.pairs[1]: the kernel gave no shape for a tapped layer');
  });

  it('names the strategy when its teacher gave no outputs, or a tapped layer is missing', () => {
    const withoutDeep = distillationContext({ student: studentLogits, teachers: { wide: teacherLogits }, labels });
    expect(() => strategy().loss(withoutDeep)).toThrow("relation.test: teacher 'deep' gave no outputs for this batch");
    const relation = strategy({ pairs: [{ student: 'a', teacher: 'z' }] });
    expect(() => tf.tidy(() => relation.loss(batch()) as tf.Scalar)).toThrow("relation.test: the kernel did not tap 'a' or 'z'");
  });

  it('leaks nothing over build and repeated losses', async () => {
    await expectNoLeaks(async () => {
      const relation = strategy({ pairs: twoPairs, lossParts: ['gap', 'spread'] });
      relation.build?.({
        student: { a: [null, 2], b: [null, 1, 1, 2] },
        teachers: { deep: { x: [null, 2], y: [null, 3] } },
        numClasses: 2,
      });
      for (let i = 0; i < 3; i++) await strategyLossParts(relation, batch());
      relation.dispose?.();
    });
  });
});
