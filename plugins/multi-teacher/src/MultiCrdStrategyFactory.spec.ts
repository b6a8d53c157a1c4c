import '@tensorflow/tfjs-backend-cpu';
import {
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
  lossTotal,
  type TapShapes,
} from '@distillery/core';
import { contrastScores, crdNceLoss, crdStrategyFactory, drawNegatives, normalizeRows } from '@distillery/plugin-contrastive';
import { creationContext, distillationContext, expectNoLeaks, strategyLossParts } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInPolicies } from './builtInPolicies.js';
import { MultiCrdStrategyFactory } from './MultiCrdStrategyFactory.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';

const factory = new MultiCrdStrategyFactory(new TeacherPolicyRegistry([...builtInPolicies.values()]));

/** The spec's experiment: teachers 'wide' and 'deep', seed 3, the term second in the config. */
const creationFor = (term: string, teacherNames = ['wide', 'deep']) =>
  creationContext({ path: 'strategies[1].options', teacherNames, term, seed: 3 });
const creation = creationFor('multi.crd');

// N = 6 training examples, K = 3 negatives, D = 4, τ = 0.2: small enough to follow every row.
const size = 6;
const crd = { student: 's_pool', featureDim: 4, negatives: 3 };
const options = { ...crd, teacherLayer: { wide: 'w_pool', deep: 'd_map' }, nceTemperature: 0.2 };
const shapes: TapShapes = {
  student: { s_pool: [null, 3] },
  teachers: { wide: { w_pool: [null, 2] }, deep: { d_map: [null, 1, 1, 5] } },
  numClasses: 2,
};
const indices = () => Int32Array.from([4, 0, 2]);

let studentFeature: tf.Tensor2D;
let wideFeature: tf.Tensor2D;
let deepFeature: tf.Tensor4D;
let logits: tf.Tensor2D;
let wideLogits: tf.Tensor2D;
let deepLogits: tf.Tensor2D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  studentFeature = tf.tensor2d([
    [0.5, -1.0, 2.0],
    [1.0, 0.0, -0.5],
    [-0.3, 0.8, 0.1],
  ]);
  wideFeature = tf.tensor2d([
    [0.9, -0.2],
    [-0.4, 1.3],
    [0.6, 0.6],
  ]);
  deepFeature = tf.tensor4d([1.0, 0.2, -0.4, 0.0, 0.7, -0.6, 1.1, 0.3, 0.5, -0.2, 0.4, -0.9, 0.8, -1.2, 0.1], [3, 1, 1, 5]);
  logits = tf.tensor2d([
    [1, 0],
    [0, 1],
    [1, 1],
  ]);
  // 'wide' is right on examples 0 and 1, 'deep' on example 2: the confidence policy weighs them differently per example.
  wideLogits = tf.tensor2d([
    [2, 0],
    [0, 2],
    [2, 0],
  ]);
  deepLogits = tf.tensor2d([
    [0, 1],
    [1, 0],
    [0, 2],
  ]);
  labels = tf.tensor1d([0, 1, 1], 'int32');
});

afterAll(() => {
  tf.dispose([studentFeature, wideFeature, deepFeature, logits, wideLogits, deepLogits, labels]);
});

/** The batch at a step, holding training-set examples `at` (none: `null`). */
function contextAt(step: number, at: Int32Array | null = indices()): DistillationContext {
  const context = distillationContext({
    student: { logits, features: { s_pool: studentFeature } },
    teachers: {
      wide: { logits: wideLogits, features: { w_pool: wideFeature } },
      deep: { logits: deepLogits, features: { d_map: deepFeature } },
    },
    labels,
    step,
  });
  return at === null ? context : { ...context, indices: at };
}

/** multi.crd with `given` over the spec's options, built and prepared, its variables named under `term`. */
function prepared(given: object = {}, term = 'multi.crd'): DistillationStrategy {
  const made = factory.create({ ...options, ...given }, term === 'multi.crd' ? creation : creationFor(term));
  made.build?.(shapes);
  made.prepare?.({ size });
  return made;
}

/** The strategy's total and parts at a step, as numbers. */
function partsAt(strategy: DistillationStrategy, step: number): Record<string, number> {
  return tf.tidy(() => {
    const result = strategy.loss(contextAt(step));
    const parts = 'total' in result ? result.parts : {};
    return {
      total: lossTotal(result).dataSync()[0] as number,
      ...Object.fromEntries(Object.entries(parts).map(([name, value]) => [name, value.dataSync()[0] as number])),
    };
  });
}

const update = (strategy: DistillationStrategy, step: number, at?: Int32Array) =>
  tf.tidy(() => strategy.update?.(contextAt(step, at)));

const valuesOf = (variables: readonly tf.Variable[]) => variables.map((variable) => Array.from(variable.dataSync()));

/**
 * Teacher k's CRD sides rebuilt from the single-teacher pieces of @distillery/plugin-contrastive and the strategy's own
 * variables (heads 4k … 4k+3, state 3k … 3k+2), before Z is set (this batch's mean score × N, as on CRD's first step):
 * student = NCE(exp(v_s · M_t[drawn] / τ) / Z_s), teacher = NCE(exp(v_t · M_s[drawn] / τ) / Z_t), each a batch mean.
 */
function sidesFromPieces(
  strategy: DistillationStrategy,
  k: number,
  teacherFeature: tf.Tensor,
  stream: string | undefined,
  step = 0,
): { student: number; teacher: number } {
  return tf.tidy(() => {
    const [studentKernel, studentBias, teacherKernel, teacherBias] = (strategy.variables?.() ?? []).slice(4 * k, 4 * k + 4);
    const [studentMemory, teacherMemory] = (strategy.state?.() ?? []).slice(3 * k, 3 * k + 3);
    const embed = (feature: tf.Tensor, kernel: tf.Variable | undefined, bias: tf.Variable | undefined) =>
      normalizeRows(
        tf.add(tf.matMul(tf.reshape(feature, [3, -1]) as tf.Tensor2D, kernel as tf.Tensor2D), bias as tf.Tensor) as tf.Tensor2D,
      );
    const drawn = drawNegatives(indices(), {
      k: 3,
      datasetSize: size,
      seed: 3,
      step,
      ...(stream === undefined ? {} : { stream }),
    });
    const side = (embeddings: tf.Tensor2D, memory: tf.Variable | undefined) => {
      const raw = contrastScores(embeddings, memory as tf.Tensor2D, drawn, 0.2);
      const z = tf.mul(tf.mean(raw), size);
      return crdNceLoss(tf.div(raw, z) as tf.Tensor2D, { datasetSize: size }).dataSync()[0] as number;
    };
    return {
      student: side(embed(studentFeature, studentKernel, studentBias), teacherMemory),
      teacher: side(embed(teacherFeature, teacherKernel, teacherBias), studentMemory),
    };
  });
}

/** Asserts that `run` throws a DistilleryError whose message is exactly `message`. */
function expectOneLine(run: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DistilleryError);
  expect((thrown as Error).message).toBe(message);
}

describe('MultiCrdStrategyFactory', () => {
  it('is keyed multi.crd, declares CRD’s defaults and the uniform policy, and cites CRD and CA-MKD', () => {
    expect(factory.key).toBe('multi.crd');
    expect(factory.optionsSchema.parse({ student: 's', teacherLayer: 't' })).toEqual({
      student: 's',
      teacherLayer: 't',
      featureDim: 128,
      negatives: 16384,
      nceTemperature: 0.07,
      momentum: 0.5,
      policy: 'uniform',
      temperature: 4,
    });
    expect(factory.paper).toContain('Contrastive Representation Distillation');
    expect(factory.paper).toContain('Confidence-Aware Multi-Teacher Knowledge Distillation');
  });

  it('refuses bad options, unknown teachers and teachers without a layer, in one line naming the field', () => {
    const cases: [object, string][] = [
      [{ teacherLayer: 't' }, 'strategies[1].options.student: expected a layer name'],
      [
        { student: 's' },
        'strategies[1].options.teacherLayer: expected a layer name, or an object of one layer name per teacher ({ <teacher>: <layer> })',
      ],
      [
        { ...options, teacherLayer: { wide: 'w_pool', deep: 3 } },
        'strategies[1].options.teacherLayer: expected a layer name, or an object of one layer name per teacher ({ <teacher>: <layer> })',
      ],
      [
        { ...options, teachers: ['wide', 'tall'] },
        "strategies[1].options.teachers[1]: unknown teacher 'tall'; the teachers are: wide, deep",
      ],
      [
        { ...options, teacherLayer: { wide: 'w_pool', tall: 't' } },
        "strategies[1].options.teacherLayer.tall: unknown teacher 'tall'; the teachers are: wide, deep",
      ],
      [
        { ...options, teachers: ['wide'] },
        "strategies[1].options.teacherLayer.deep: teacher 'deep' is not one this strategy learns from (teachers: wide)",
      ],
      [
        { ...options, teacherLayer: { wide: 'w_pool' } },
        "strategies[1].options.teacherLayer: no layer for teacher 'deep'; expected one layer name per teacher (wide, deep), or one name for all",
      ],
      [{ ...options, nceTemperature: 0 }, 'strategies[1].options.nceTemperature: expected a positive number'],
      [{ ...options, negatives: 2.5 }, 'strategies[1].options.negatives: expected a positive integer'],
      [{ ...options, momentum: 1 }, 'strategies[1].options.momentum: expected a number in [0, 1)'],
      [
        { ...options, policy: 'weighted', weights: [1] },
        'strategies[1].options.weights: expected one weight per teacher (2), got 1',
      ],
      [{ ...options, nce_t: 0.1 }, "strategies[1].options: unknown key 'nce_t'"],
    ];
    for (const [given, message] of cases) {
      expectOneLine(() => factory.create(given, creation), message);
    }
  });

  it('taps the student layer and each teacher’s, and builds a student head and a teacher head per teacher, named by teacher', () => {
    const strategy = prepared();
    expect(strategy.taps).toEqual({ student: ['s_pool'], teachers: { wide: ['w_pool'], deep: ['d_map'] } });
    expect(strategy.lossParts).toEqual(['student', 'teacher', 'crd/wide', 'crd/deep']);
    expect(strategy.variables?.().map(({ name, shape, trainable }) => [name, shape, trainable])).toEqual([
      ['multi.crd/wide/student/kernel', [3, 4], true],
      ['multi.crd/wide/student/bias', [4], true],
      ['multi.crd/wide/teacher/kernel', [2, 4], true],
      ['multi.crd/wide/teacher/bias', [4], true],
      ['multi.crd/deep/student/kernel', [3, 4], true],
      ['multi.crd/deep/student/bias', [4], true],
      ['multi.crd/deep/teacher/kernel', [5, 4], true],
      ['multi.crd/deep/teacher/bias', [4], true],
    ]);
    // The second teacher's student head starts elsewhere than the first's: its own stream of initial weights.
    const [wideStudent, , , , deepStudent] = valuesOf(strategy.variables?.() ?? []);
    expect(deepStudent).not.toEqual(wideStudent);
    strategy.dispose?.();
  });

  it('keeps two [N, D] banks and Z per teacher as its state, sized in prepare and kept while the size holds', () => {
    const both = prepared();
    const state = both.state?.() ?? [];
    expect(state.map(({ name, shape, trainable }) => [name, shape, trainable])).toEqual([
      ['multi.crd/wide/memory/student', [6, 4], false],
      ['multi.crd/wide/memory/teacher', [6, 4], false],
      ['multi.crd/wide/memory/normalizers', [2], false],
      ['multi.crd/deep/memory/student', [6, 4], false],
      ['multi.crd/deep/memory/teacher', [6, 4], false],
      ['multi.crd/deep/memory/normalizers', [2], false],
    ]);
    const [wideBank, , , deepBank] = valuesOf(state);
    expect(deepBank).not.toEqual(wideBank);
    both.prepare?.({ size });
    expect(both.state?.()).toEqual(state);
    both.prepare?.({ size: 9 });
    expect(both.state?.().map(({ shape }) => shape)).toEqual([[9, 4], [9, 4], [2], [9, 4], [9, 4], [2]]);
    expect(state.every((variable) => variable.isDisposed)).toBe(true);
    both.dispose?.();
  });

  it('is contrastive.crd with one teacher under every built-in policy: same heads, loss, parts and bank updates', () => {
    const single = crdStrategyFactory.create(
      { ...crd, teacher: 'wide', teacherLayer: 'w_pool', temperature: 0.2 },
      creationFor('contrastive.crd'),
    );
    single.build?.(shapes);
    single.prepare?.({ size });
    const multis = [...builtInPolicies.keys()].map((policy) =>
      prepared(
        { teachers: ['wide'], teacherLayer: 'w_pool', policy, ...(policy === 'weighted' ? { weights: [2] } : {}) },
        `multi.crd-${policy}`,
      ),
    );
    for (const multi of multis) {
      expect(valuesOf(multi.variables?.() ?? [])).toEqual(valuesOf(single.variables?.() ?? []));
      expect(valuesOf(multi.state?.() ?? [])).toEqual(valuesOf(single.state?.() ?? []));
    }
    // Two steps: the first scores with the batch's own Z and sets it in update, the second with the stored Z.
    for (const [step, at] of [
      [0, indices()],
      [1, Int32Array.from([1, 3, 5])],
    ] as const) {
      const expected = partsAt(single, step);
      update(single, step, at);
      for (const multi of multis) {
        const parts = partsAt(multi, step);
        // The same terms summed per example, then over the batch: equal up to float32 rounding.
        expect(parts.total).toBeCloseTo(expected.total as number, 5);
        expect(parts.student).toBeCloseTo(expected.student as number, 5);
        expect(parts.teacher).toBeCloseTo(expected.teacher as number, 5);
        expect(parts['crd/wide']).toBeCloseTo(expected.total as number, 5);
        update(multi, step, at);
        // The banks and Z are the same to the bit: the updates read the same embeddings and the same draws.
        expect(valuesOf(multi.state?.() ?? [])).toEqual(valuesOf(single.state?.() ?? []));
      }
    }
    for (const strategy of [single, ...multis]) strategy.dispose?.();
  });

  it('with two teachers and fixed weights 3 : 1 gives ¾ · CRD(wide) + ¼ · CRD(deep), each rebuilt from the single-teacher pieces', () => {
    const strategy = prepared({ policy: 'weighted', weights: [3, 1] });
    const parts = partsAt(strategy, 0);
    const wide = sidesFromPieces(strategy, 0, wideFeature, undefined);
    const deep = sidesFromPieces(strategy, 1, deepFeature, 'teacher/deep');
    expect(parts.student).toBeCloseTo(0.75 * wide.student + 0.25 * deep.student, 5);
    expect(parts.teacher).toBeCloseTo(0.75 * wide.teacher + 0.25 * deep.teacher, 5);
    expect(parts['crd/wide']).toBeCloseTo(0.75 * (wide.student + wide.teacher), 5);
    expect(parts['crd/deep']).toBeCloseTo(0.25 * (deep.student + deep.teacher), 5);
    expect(parts.total).toBeCloseTo(0.75 * (wide.student + wide.teacher) + 0.25 * (deep.student + deep.teacher), 5);
    // The second teacher draws its own negatives: with the first teacher's draws its terms would differ.
    const sharedDraws = sidesFromPieces(strategy, 1, deepFeature, undefined);
    expect(Math.abs(sharedDraws.student - deep.student)).toBeGreaterThan(1e-3);
    strategy.dispose?.();
  });

  it('weighs each example by the policy: with weights 1 : 0 only the first teacher’s heads get a gradient, contrastive.crd’s', () => {
    const single = crdStrategyFactory.create(
      { ...crd, teacher: 'wide', teacherLayer: 'w_pool', temperature: 0.2 },
      creationFor('contrastive.crd'),
    );
    single.build?.(shapes);
    single.prepare?.({ size });
    const multi = prepared({ policy: 'weighted', weights: [1, 0] });
    const gradients = (strategy: DistillationStrategy) =>
      tf.tidy(() => {
        const variables = [...(strategy.variables?.() ?? [])];
        const { grads } = tf.variableGrads(() => lossTotal(strategy.loss(contextAt(0))), variables);
        return variables.map(({ name }) => Array.from((grads[name] as tf.Tensor).dataSync()));
      });
    const expected = gradients(single);
    const got = gradients(multi);
    got.slice(0, 4).forEach((values, i) => {
      values.forEach((value, j) => {
        expect(value).toBeCloseTo(expected[i]?.[j] as number, 5);
      });
    });
    expect(expected.flat().some((value) => Math.abs(value) > 1e-3)).toBe(true);
    expect(
      got
        .slice(4)
        .flat()
        .every((value) => value === 0),
    ).toBe(true);
    single.dispose?.();
    multi.dispose?.();
  });

  it('sets Z and moves every teacher’s banks on update, whatever the weights, and leaves the other rows as they were', () => {
    const strategy = prepared({ policy: 'weighted', weights: [1, 0] });
    const before = valuesOf(strategy.state?.() ?? []);
    update(strategy, 0);
    const after = valuesOf(strategy.state?.() ?? []);
    for (const k of [0, 1]) {
      for (const bank of [3 * k, 3 * k + 1]) {
        const [old, now] = [before[bank] as number[], after[bank] as number[]];
        const row = (values: number[], index: number) => values.slice(index * 4, index * 4 + 4);
        for (const index of [4, 0, 2]) expect(row(now, index)).not.toEqual(row(old, index));
        for (const index of [1, 3, 5]) expect(row(now, index)).toEqual(row(old, index));
      }
      expect(before[3 * k + 2]).toEqual([0, 0]);
      expect(after[3 * k + 2]?.every((z) => z > 0)).toBe(true);
    }
    strategy.dispose?.();
  });

  it('refuses a batch without indices in one line, before anything is computed', () => {
    const strategy = prepared();
    const message =
      'multi.crd: the dataset gives no example indices (Batch.indices), and CRD keeps one memory row per training example; use a dataset whose batches carry them (TensorDataset and the in-tree datasets do)';
    expectOneLine(() => strategy.loss(contextAt(0, null)), message);
    expectOneLine(() => strategy.update?.(contextAt(0, null)), message);
    strategy.dispose?.();
  });

  it('reports its parts through the kernel’s helpers, per-example weighted by confidence, and leaks no tensor', async () => {
    await expectNoLeaks(async () => {
      const strategy = prepared({ policy: 'confidence' });
      const { total, parts } = await strategyLossParts(strategy, contextAt(0));
      expect(total).toBeCloseTo((parts.student as number) + (parts.teacher as number), 5);
      expect(total).toBeCloseTo((parts['crd/wide'] as number) + (parts['crd/deep'] as number), 5);
      update(strategy, 0);
      update(strategy, 1);
      strategy.dispose?.();
    });
  });
});
