import '@tensorflow/tfjs-backend-cpu';
import {
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
  lossTotal,
  type StrategyCreationContext,
  type TapShapes,
} from '@distillery/core';
import { creationContext, expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { featureHint } from './featureHint.js';
import { hintLoss } from './hintLoss.js';

let inputs: tf.Tensor;
let labels: tf.Tensor1D;
let logits: tf.Tensor2D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  inputs = tf.zeros([2, 1]);
  labels = tf.tensor1d([0, 1], 'int32');
  logits = tf.zeros([2, 3]);
});

afterAll(() => {
  tf.dispose([inputs, labels, logits]);
});

const built: DistillationStrategy[] = [];

afterEach(() => {
  for (const strategy of built.splice(0)) strategy.dispose?.();
});

/** The spec's experiment: teachers 'wide' and 'deep', seed 7, the term named after the key. */
function hintContext(overrides: Parameters<typeof creationContext>[0] = {}): StrategyCreationContext {
  return creationContext({ teacherNames: ['wide', 'deep'], seed: 7, term: 'feature.hint', ...overrides });
}

/** Creates the strategy and builds it on `shapes`; it is disposed after the test. */
function buildStrategy(options: unknown, shapes: TapShapes, context = hintContext()): DistillationStrategy {
  const strategy = featureHint.create(options, context);
  built.push(strategy);
  strategy.build?.(shapes);
  return strategy;
}

function distillationContext(
  studentFeatures: Record<string, tf.Tensor>,
  teacherFeatures: Record<string, tf.Tensor>,
  teacherName = 'wide',
): DistillationContext {
  return {
    inputs,
    labels,
    student: { logits, features: studentFeatures },
    teachers: [{ name: teacherName, logits, features: teacherFeatures }],
    epoch: 0,
    epochs: 1,
    step: 0,
    stepsPerEpoch: 1,
  };
}

async function lossValue(strategy: DistillationStrategy, context: DistillationContext): Promise<number> {
  const loss = lossTotal(strategy.loss(context));
  const [value] = await loss.data();
  loss.dispose();
  return value as number;
}

function createError(options: unknown, context = hintContext()): string {
  try {
    featureHint.create(options, context);
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    return (error as Error).message;
  }
  throw new Error('expected create() to throw');
}

const onePair = { pairs: [{ student: 's_conv', teacher: 't_conv' }] };
/** Two dense pairs: student 'a' [B, 3] → teacher 'x' [B, 2], student 'b' [B, 2] → teacher 'y' [B, 4]. */
const twoDensePairs = {
  pairs: [
    { student: 'a', teacher: 'x' },
    { student: 'b', teacher: 'y' },
  ],
};
const twoDenseShapes: TapShapes = {
  student: { a: [null, 3], b: [null, 2] },
  teachers: { wide: { x: [null, 2], y: [null, 4] } },
  numClasses: 3,
};

describe('feature.hint options', () => {
  it('requires pairs', () => {
    expect(createError({})).toMatch(/^strategies\[0\]\.options\.pairs: expected an array of/);
  });

  it('requires at least one pair', () => {
    expect(createError({ pairs: [] })).toMatch(/^strategies\[0\]\.options\.pairs: expected at least one/);
  });

  it('requires both layer names of a pair', () => {
    expect(createError({ pairs: [{ student: 's_conv' }] })).toBe('strategies[0].options.pairs[0].teacher: expected a layer name');
    expect(createError({ pairs: [{ student: '', teacher: 't' }] })).toBe(
      'strategies[0].options.pairs[0].student: expected a layer name',
    );
  });

  it('rejects unknown keys, in a pair and at the top', () => {
    expect(createError({ pairs: [{ student: 'a', teacher: 'b', weight: 2 }] })).toBe(
      "strategies[0].options.pairs[0]: unknown key 'weight'",
    );
    expect(createError({ ...onePair, temperature: 4 })).toBe("strategies[0].options: unknown key 'temperature'");
  });

  it("accepts resize 'bilinear' or 'refuse' only", () => {
    expect(createError({ ...onePair, resize: 'nearest' })).toMatch(/^strategies\[0\]\.options\.resize: /);
  });

  it('names an unknown teacher and lists the teachers', () => {
    expect(createError({ ...onePair, teacher: 'tiny' })).toBe(
      "strategies[0].options.teacher: unknown teacher 'tiny'; the teachers are: wide, deep",
    );
  });

  it('needs a teacher in the experiment', () => {
    expect(createError(onePair, hintContext({ teacherNames: [] }))).toBe(
      'strategies[0].options.teacher: feature.hint needs a teacher, but the experiment has none',
    );
  });
});

describe('feature.hint', () => {
  it("taps each pair's layers, on the first teacher by default", () => {
    const strategy = featureHint.create(
      {
        pairs: [
          { student: 's1', teacher: 't1' },
          { student: 's2', teacher: 't1' },
        ],
      },
      hintContext(),
    );
    expect(strategy.key).toBe('feature.hint');
    expect(strategy.taps).toEqual({ student: ['s1', 's2'], teachers: { wide: ['t1'] } });
  });

  it('taps the named teacher', () => {
    const strategy = featureHint.create({ ...onePair, teacher: 'deep' }, hintContext());
    expect(strategy.taps?.teachers).toEqual({ deep: ['t_conv'] });
  });

  it('owns a kernel and a bias per pair once built, with unique names, and frees them on dispose', () => {
    const shapes: TapShapes = {
      student: { s1: [null, 4, 4, 2], s2: [null, 6] },
      teachers: { wide: { t1: [null, 4, 4, 5], t2: [null, 9] } },
      numClasses: 3,
    };
    const options = {
      pairs: [
        { student: 's1', teacher: 't1' },
        { student: 's2', teacher: 't2' },
      ],
    };
    const before = tf.memory().numTensors;
    const first = featureHint.create(options, hintContext());
    expect(first.variables?.()).toEqual([]);
    first.build?.(shapes);
    const second = buildStrategy(options, shapes);
    const variables = first.variables?.() ?? [];
    expect(variables.map((variable) => variable.shape)).toEqual([[1, 1, 2, 5], [5], [6, 9], [9]]);
    const names = [...variables, ...(second.variables?.() ?? [])].map((variable) => variable.name);
    expect(names).toEqual([
      'feature.hint/pairs[0]/kernel',
      'feature.hint/pairs[0]/bias',
      'feature.hint/pairs[1]/kernel',
      'feature.hint/pairs[1]/bias',
      'feature.hint/pairs[0]/kernel#2',
      'feature.hint/pairs[0]/bias#2',
      'feature.hint/pairs[1]/kernel#2',
      'feature.hint/pairs[1]/bias#2',
    ]);
    first.dispose?.();
    expect(variables.every((variable) => variable.isDisposed)).toBe(true);
    second.dispose?.();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("seeds pair p's kernel with '<training seed>/feature.hint/<p>', so every run starts from the same adapters", async () => {
    const strategy = buildStrategy(twoDensePairs, twoDenseShapes);
    const [kernelA, , kernelB] = strategy.variables?.() ?? [];
    // Glorot-uniform limits: √(6 / (3 + 2)) and √(6 / (2 + 4)) = 1.
    const expected = await expectNoLeaks(() =>
      tf.tidy(() => [
        Array.from(tf.randomUniform([3, 2], -Math.sqrt(6 / 5), Math.sqrt(6 / 5), 'float32', '7/feature.hint/0').dataSync()),
        Array.from(tf.randomUniform([2, 4], -1, 1, 'float32', '7/feature.hint/1').dataSync()),
      ]),
    );
    expect(Array.from((kernelA as tf.Variable).dataSync())).toEqual(expected[0]);
    expect(Array.from((kernelB as tf.Variable).dataSync())).toEqual(expected[1]);
  });

  it('is the mean over pairs of hintLoss(adapter(f_s), f_t), checked in plain numbers', async () => {
    const strategy = buildStrategy(twoDensePairs, twoDenseShapes);
    const [kernelA, biasA, kernelB, biasB] = strategy.variables?.() ?? [];
    biasA?.assign(tf.tensor1d([0.1, -0.2]));
    biasB?.assign(tf.tensor1d([0.3, 0, -0.4, 0.5]));
    const a = [1, -2, 0.5, 3, 0, -1];
    const b = [0.2, 0.4, -1, 2];
    const x = [1, 0, -1, 2];
    const y = [0, 1, 2, 3, -1, -2, 0.5, 0];
    const features = {
      student: { a: tf.tensor2d(a, [2, 3]), b: tf.tensor2d(b, [2, 2]) },
      teacher: { x: tf.tensor2d(x, [2, 2]), y: tf.tensor2d(y, [2, 4]) },
    };
    const context = distillationContext(features.student, features.teacher);
    const value = await expectNoLeaks(() => lossValue(strategy, context));

    // r(f) = f·K + b row by row, then the mean of (r(f) − t)² over all elements.
    const mse = (input: number[], inputSize: number, kernel: number[], bias: number[], target: number[]) => {
      const outputSize = bias.length;
      let sum = 0;
      for (let row = 0; row < input.length / inputSize; row++) {
        for (let o = 0; o < outputSize; o++) {
          let out = bias[o] as number;
          for (let i = 0; i < inputSize; i++)
            out += (input[row * inputSize + i] as number) * (kernel[i * outputSize + o] as number);
          sum += (out - (target[row * outputSize + o] as number)) ** 2;
        }
      }
      return sum / target.length;
    };
    const read = async (variable: tf.Variable | undefined) => Array.from(await (variable as tf.Variable).data());
    const expected =
      (mse(a, 3, await read(kernelA), [0.1, -0.2], x) + mse(b, 2, await read(kernelB), [0.3, 0, -0.4, 0.5], y)) / 2;
    expect(value).toBeCloseTo(expected, 5);
    tf.dispose([...Object.values(features.student), ...Object.values(features.teacher)]);
  });

  it('reads the features of the teacher it names', async () => {
    const strategy = buildStrategy(
      { pairs: [{ student: 'a', teacher: 'x' }], teacher: 'deep' },
      { student: { a: [null, 2] }, teachers: { deep: { x: [null, 2] } }, numClasses: 3 },
    );
    strategy.variables?.()[0]?.assign(tf.eye(2));
    const feature = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    // Identity adapter, zero bias, the same features: the hint is 0 only if it reads teacher 'deep'.
    expect(await expectNoLeaks(() => lossValue(strategy, distillationContext({ a: feature }, { x: feature }, 'deep')))).toBe(0);
    feature.dispose();
  });

  it('sends gradients to the adapter and, through the guided feature, to the student', async () => {
    const strategy = buildStrategy(
      { pairs: [{ student: 's_conv', teacher: 't_conv' }] },
      { student: { s_conv: [null, 4, 4, 2] }, teachers: { wide: { t_conv: [null, 4, 4, 5] } }, numClasses: 3 },
    );
    const studentKernel = tf.variable(tf.randomNormal([3, 3, 1, 2], 0, 1, 'float32', 3), true, 'test/studentKernel');
    const images = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 4);
    const teacherFeature = tf.randomNormal([2, 4, 4, 5], 0, 1, 'float32', 5);
    const trainable = [studentKernel, ...(strategy.variables?.() ?? [])];
    const gradientSizes = await expectNoLeaks(async () => {
      const sizes = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const studentFeature = tf.conv2d(images as tf.Tensor4D, studentKernel as tf.Tensor4D, 1, 'same');
          return lossTotal(strategy.loss(distillationContext({ s_conv: studentFeature }, { t_conv: teacherFeature })));
        }, trainable);
        value.dispose();
        return trainable.map((variable) => tf.sum(tf.abs(grads[variable.name] as tf.Tensor)));
      });
      const values = await Promise.all(sizes.map(async (size) => (await size.data())[0] as number));
      tf.dispose(sizes);
      return values;
    });
    expect(gradientSizes).toHaveLength(3);
    for (const size of gradientSizes) expect(size).toBeGreaterThan(0);
    tf.dispose([studentKernel, images, teacherFeature]);
  });

  it('resizes the adapted student map bilinearly to the teacher map by default', async () => {
    const strategy = buildStrategy(onePair, {
      student: { s_conv: [null, 8, 8, 2] },
      teachers: { wide: { t_conv: [null, 4, 4, 3] } },
      numClasses: 3,
    });
    const [kernel, bias] = strategy.variables?.() ?? [];
    const studentFeature = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 8);
    const teacherFeature = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 9);
    const value = await expectNoLeaks(() =>
      lossValue(strategy, distillationContext({ s_conv: studentFeature }, { t_conv: teacherFeature })),
    );
    const expected = tf.tidy(() => {
      const adapted = tf.add(tf.conv2d(studentFeature as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'valid'), bias as tf.Tensor);
      return hintLoss(tf.image.resizeBilinear(adapted as tf.Tensor4D, [4, 4], false, true), teacherFeature);
    });
    expect(value).toBeCloseTo((await expected.data())[0] as number, 5);
    tf.dispose([expected, studentFeature, teacherFeature]);
  });

  it("refuses maps of different H×W at build time with resize: 'refuse', naming both layers and shapes", () => {
    const before = tf.memory().numTensors;
    const strategy = featureHint.create(
      {
        pairs: [
          { student: 's1', teacher: 't1' },
          { student: 's_conv', teacher: 't_conv' },
        ],
        resize: 'refuse',
      },
      hintContext(),
    );
    const shapes: TapShapes = {
      student: { s1: [null, 4, 4, 2], s_conv: [null, 8, 8, 4] },
      teachers: { wide: { t1: [null, 4, 4, 2], t_conv: [null, 4, 4, 8] } },
      numClasses: 3,
    };
    expect(() => strategy.build?.(shapes)).toThrow(
      "strategies[0].options.pairs[1]: student layer 's_conv' [B, 8, 8, 4] and teacher 'wide' layer 't_conv' [B, 4, 4, 8] differ in spatial size and resize is 'refuse'",
    );
    // The first pair's adapter was freed with the failure.
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a map paired with a vector', () => {
    const strategy = featureHint.create(onePair, hintContext());
    built.push(strategy);
    expect(() =>
      strategy.build?.({ student: { s_conv: [null, 4, 4, 2] }, teachers: { wide: { t_conv: [null, 10] } }, numClasses: 3 }),
    ).toThrow(
      "strategies[0].options.pairs[0]: cannot adapt student layer 's_conv' [B, 4, 4, 2] and teacher 'wide' layer 't_conv' [B, 10]",
    );
  });

  it('leaks nothing across repeated loss calls', async () => {
    const strategy = buildStrategy(onePair, {
      student: { s_conv: [null, 4, 4, 2] },
      teachers: { wide: { t_conv: [null, 4, 4, 3] } },
      numClasses: 3,
    });
    const studentFeature = tf.ones([1, 4, 4, 2]);
    const teacherFeature = tf.zeros([1, 4, 4, 3]);
    const context = distillationContext({ s_conv: studentFeature }, { t_conv: teacherFeature });
    await expectNoLeaks(async () => {
      for (let i = 0; i < 3; i++) await lossValue(strategy, context);
    });
    tf.dispose([studentFeature, teacherFeature]);
  });
});
