import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import {
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
  lossTotal,
  type TapShapes,
} from '@distillery/core';
import { featureHint } from '@distillery/plugin-feature';
import { creationContext, expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtInPolicies } from './builtInPolicies.js';
import { MultiHintStrategyFactory } from './MultiHintStrategyFactory.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';

const factory = new MultiHintStrategyFactory(new TeacherPolicyRegistry([...builtInPolicies.values()]));
const creation = creationContext({ teacherNames: ['wide', 'deep'], studentName: 's', seed: 7, term: 'multi.hint' });
const ln3 = Math.log(3);

const shapes: TapShapes = {
  student: { s_dense: [null, 3], s_conv: [null, 4, 4, 2] },
  teachers: { wide: { w_dense: [null, 2], w_conv: [null, 2, 2, 3] }, deep: { d_dense: [null, 2] } },
  numClasses: 2,
};

let labels: tf.Tensor1D;
let studentLogits: tf.Tensor2D;
let wideLogits: tf.Tensor2D;
let deepLogits: tf.Tensor2D;
let studentDense: tf.Tensor2D;
let studentConv: tf.Tensor4D;
let wideDense: tf.Tensor2D;
let wideConv: tf.Tensor4D;
let deepDense: tf.Tensor2D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  labels = tf.tensor1d([0, 1], 'int32');
  studentLogits = tf.zeros([2, 2]);
  // Wide predicts [3/4, 1/4] and deep [1/4, 3/4] on both examples: under confidence, w = [[3/4, 1/4], [1/4, 3/4]].
  wideLogits = tf.tensor2d([
    [ln3, 0],
    [ln3, 0],
  ]);
  deepLogits = tf.tensor2d([
    [0, ln3],
    [0, ln3],
  ]);
  studentDense = tf.tensor2d([
    [1, 2, 5],
    [0, 1, 5],
  ]);
  studentConv = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 11);
  wideDense = tf.tensor2d([
    [0, 0],
    [0, 1],
  ]);
  wideConv = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 12);
  deepDense = tf.tensor2d([
    [1, 2],
    [2, 1],
  ]);
});

afterAll(() => {
  tf.dispose([labels, studentLogits, wideLogits, deepLogits, studentDense, studentConv, wideDense, wideConv, deepDense]);
});

const built: DistillationStrategy[] = [];

afterEach(() => {
  for (const strategy of built.splice(0)) strategy.dispose?.();
});

function buildStrategy(options: unknown, made = factory): DistillationStrategy {
  const strategy = made.create(options, creation);
  built.push(strategy);
  strategy.build?.(shapes);
  return strategy;
}

function context(student: Record<string, tf.Tensor> = { s_dense: studentDense, s_conv: studentConv }): DistillationContext {
  return {
    inputs: studentLogits,
    labels,
    student: { logits: studentLogits, features: student },
    teachers: [
      { name: 'wide', logits: wideLogits, features: { w_dense: wideDense, w_conv: wideConv } },
      { name: 'deep', logits: deepLogits, features: { d_dense: deepDense } },
    ],
    epoch: 0,
    epochs: 1,
    step: 0,
    stepsPerEpoch: 1,
  };
}

async function lossOf(strategy: DistillationStrategy, batch = context()): Promise<number> {
  return expectNoLeaks(async () => {
    const loss = lossTotal(strategy.loss(batch));
    expect(loss.rank).toBe(0);
    const [value] = await loss.data();
    loss.dispose();
    return value as number;
  });
}

/** Sets a dense adapter to r(f) = f · kernel (bias 0). */
function setAdapter(strategy: DistillationStrategy, pairIndex: number, kernel: number[][]): void {
  const [weights, bias] = (strategy.variables?.() ?? []).slice(2 * pairIndex, 2 * pairIndex + 2);
  tf.tidy(() => {
    weights?.assign(tf.tensor2d(kernel));
    bias?.assign(tf.zerosLike(bias));
  });
}

const firstTwoColumns = [
  [1, 0],
  [0, 1],
  [0, 0],
];

function createError(options: unknown): string {
  try {
    factory.create(options, creation);
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    return (error as Error).message;
  }
  throw new Error('expected create() to throw');
}

describe('multi.hint', () => {
  it('taps each student layer once and each teacher’s layers by teacher', () => {
    const strategy = factory.create(
      {
        pairs: [
          { teacher: 'wide', student: 's_dense', teacherLayer: 'w_dense' },
          { teacher: 'deep', student: 's_dense', teacherLayer: 'd_dense' },
          { teacher: 'wide', student: 's_conv', teacherLayer: 'w_conv' },
        ],
      },
      creation,
    );
    expect(strategy.key).toBe('multi.hint');
    expect(strategy.taps).toEqual({
      student: ['s_dense', 's_conv'],
      teachers: { wide: ['w_dense', 'w_conv'], deep: ['d_dense'] },
    });
  });

  it('equals feature.hint with one teacher, under any policy, given the same adapters', async () => {
    const multi = buildStrategy({
      policy: 'confidence',
      pairs: [
        { teacher: 'wide', student: 's_dense', teacherLayer: 'w_dense' },
        { teacher: 'wide', student: 's_conv', teacherLayer: 'w_conv' },
      ],
    });
    const single = featureHint.create(
      {
        teacher: 'wide',
        pairs: [
          { student: 's_dense', teacher: 'w_dense' },
          { student: 's_conv', teacher: 'w_conv' },
        ],
      },
      creation,
    );
    built.push(single);
    single.build?.(shapes);
    const singleVariables = single.variables?.() ?? [];
    (multi.variables?.() ?? []).forEach((variable, i) => {
      variable.assign(singleVariables[i] as tf.Variable);
    });
    expect(await lossOf(multi)).toBeCloseTo(await lossOf(single), 5);
  });

  it('weighs each example’s hint per teacher by the policy, worked by hand', async () => {
    const strategy = buildStrategy({
      policy: 'confidence',
      pairs: [
        { teacher: 'wide', student: 's_dense', teacherLayer: 'w_dense' },
        { teacher: 'deep', student: 's_dense', teacherLayer: 'd_dense' },
      ],
    });
    setAdapter(strategy, 0, firstTwoColumns);
    setAdapter(strategy, 1, firstTwoColumns);
    // r(f_s) = [[1, 2], [0, 1]].
    // wide: example 1 ((1 − 0)² + (2 − 0)²) / 2 = 2.5, example 2 ((0 − 0)² + (1 − 1)²) / 2 = 0.
    // deep: example 1 ((1 − 1)² + (2 − 2)²) / 2 = 0,   example 2 ((0 − 2)² + (1 − 1)²) / 2 = 2.
    // w = [[3/4, 1/4], [1/4, 3/4]]: example 1 3/4 · 2.5 = 1.875, example 2 3/4 · 2 = 1.5; mean 1.6875.
    expect(await lossOf(strategy)).toBeCloseTo(1.6875, 5);
  });

  it('averages a teacher’s several pairs before weighting, worked by hand', async () => {
    const strategy = buildStrategy({
      policy: 'weighted',
      weights: [1, 1],
      pairs: [
        { teacher: 'wide', student: 's_dense', teacherLayer: 'w_dense' },
        { teacher: 'deep', student: 's_dense', teacherLayer: 'd_dense' },
        { teacher: 'wide', student: 's_dense', teacherLayer: 'w_dense' },
      ],
    });
    setAdapter(strategy, 0, firstTwoColumns);
    setAdapter(strategy, 1, firstTwoColumns);
    setAdapter(strategy, 2, [
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    // Pair 0 (wide): [2.5, 0]; pair 2 (wide, r = 0): mean(w_dense²) = [0, 0.5] → wide [1.25, 0.25].
    // Pair 1 (deep): [0, 2]. w = 1/2 each: [0.625, 1.125], mean 0.875.
    expect(await lossOf(strategy)).toBeCloseTo(0.875, 5);
  });

  it('sends gradients to the student’s features and to every adapter', async () => {
    const strategy = buildStrategy({
      policy: 'entropy',
      pairs: [
        { teacher: 'wide', student: 's_conv', teacherLayer: 'w_conv' },
        { teacher: 'deep', student: 's_dense', teacherLayer: 'd_dense' },
      ],
    });
    const studentConvVariable = tf.variable(studentConv, true, 'multi-hint-spec/s_conv');
    const studentDenseVariable = tf.variable(studentDense, true, 'multi-hint-spec/s_dense');
    const variables = [studentConvVariable, studentDenseVariable, ...(strategy.variables?.() ?? [])];
    expect(variables).toHaveLength(6);
    const norms = await expectNoLeaks(async () => {
      const gradientNorms = tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () => lossTotal(strategy.loss(context({ s_conv: studentConvVariable, s_dense: studentDenseVariable }))),
          variables,
        );
        return variables.map((variable) => tf.norm(grads[variable.name] as tf.Tensor));
      });
      const values = await Promise.all(gradientNorms.map(async (norm) => (await norm.data())[0] as number));
      tf.dispose(gradientNorms);
      return values;
    });
    for (const norm of norms) expect(norm).toBeGreaterThan(0);
    tf.dispose([studentConvVariable, studentDenseVariable]);
  });

  it("owns one adapter per pair, named 'pairs[p]/…' under the term and unique among live variables, freed by dispose()", () => {
    const options = { pairs: [{ teacher: 'deep', student: 's_dense', teacherLayer: 'd_dense' }] };
    const before = tf.memory().numTensors;
    const first = factory.create(options, creation);
    const second = factory.create(options, creation);
    first.build?.(shapes);
    second.build?.(shapes);
    const names = [...(first.variables?.() ?? []), ...(second.variables?.() ?? [])].map((variable) => variable.name);
    expect(names).toEqual([
      'multi.hint/pairs[0]/kernel',
      'multi.hint/pairs[0]/bias',
      'multi.hint/pairs[0]/kernel#2',
      'multi.hint/pairs[0]/bias#2',
    ]);
    first.dispose?.();
    second.dispose?.();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frees the adapters already built when a later pair cannot be adapted', () => {
    const strategy = factory.create(
      {
        pairs: [
          { teacher: 'deep', student: 's_dense', teacherLayer: 'd_dense' },
          { teacher: 'wide', student: 's_dense', teacherLayer: 'w_conv' },
        ],
      },
      creation,
    );
    const before = tf.memory().numTensors;
    expect(() => strategy.build?.(shapes)).toThrow(/^strategies\[0\]\.options\.pairs\[1\]: cannot adapt student layer 's_dense'/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('weighs uniformly by default', async () => {
    const pairs = [
      { teacher: 'wide', student: 's_dense', teacherLayer: 'w_dense' },
      { teacher: 'deep', student: 's_dense', teacherLayer: 'd_dense' },
    ];
    const byDefault = buildStrategy({ pairs });
    const uniform = buildStrategy({ pairs, policy: 'uniform' });
    for (const strategy of [byDefault, uniform]) {
      setAdapter(strategy, 0, firstTwoColumns);
      setAdapter(strategy, 1, firstTwoColumns);
    }
    // (2.5 + 0 + 0 + 2) / 4 = 1.125
    expect(await lossOf(byDefault)).toBeCloseTo(1.125, 5);
    expect(await lossOf(uniform)).toBeCloseTo(1.125, 5);
  });

  it('names bad options', () => {
    expect(createError({})).toMatch(/^strategies\[0\]\.options\.pairs: expected an array of \{ teacher/);
    expect(createError({ pairs: [] })).toMatch(/^strategies\[0\]\.options\.pairs: expected at least one/);
    expect(createError({ pairs: [{ teacher: 'tiny', student: 's', teacherLayer: 't' }] })).toBe(
      "strategies[0].options.pairs[0].teacher: unknown teacher 'tiny'; the teachers are: wide, deep",
    );
    expect(createError({ pairs: [{ teacher: 'wide', student: 's' }] })).toBe(
      'strategies[0].options.pairs[0].teacherLayer: expected a layer name',
    );
    expect(
      createError({
        policy: 'weighted',
        weights: [1, 2, 3],
        pairs: [
          { teacher: 'wide', student: 's', teacherLayer: 't' },
          { teacher: 'deep', student: 's', teacherLayer: 't' },
        ],
      }),
    ).toBe('strategies[0].options.weights: expected one weight per teacher (2), got 3');
    expect(createError({ pairs: [{ teacher: 'wide', student: 's', teacherLayer: 't' }], resize: 'nearest' })).toBe(
      "strategies[0].options.resize: expected 'bilinear' or 'refuse'",
    );
  });
});
