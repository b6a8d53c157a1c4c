import '@tensorflow/tfjs-backend-cpu';
import {
  createDistiller,
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
  type EpochMetrics,
  lossTotal,
  type StrategyCreationContext,
  type TapShapes,
  TensorDataset,
} from '@distillery/core';
import { uniqueVariableName } from '@distillery/core/internal';
import {
  creationContext,
  distillationContext,
  expectNoLeaks,
  fixtureCnn,
  silentLogger,
  strategyLoss,
  weightsOf,
} from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { featurePlugin } from './featurePlugin.js';
import { featureVid } from './featureVid.js';
import { vidLoss } from './vidLoss.js';

let labels: tf.Tensor1D;
let logits: tf.Tensor2D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  labels = tf.tensor1d([0, 1], 'int32');
  logits = tf.zeros([2, 3]);
});

afterAll(() => {
  tf.dispose([labels, logits]);
});

const built: DistillationStrategy[] = [];

afterEach(() => {
  for (const strategy of built.splice(0)) strategy.dispose?.();
});

/** The spec's experiment: teachers 'wide' and 'deep', seed 7, the term named after the key. */
function vidContext(overrides: Parameters<typeof creationContext>[0] = {}): StrategyCreationContext {
  return creationContext({ teacherNames: ['wide', 'deep'], seed: 7, term: 'feature.vid', ...overrides });
}

/** Creates the strategy and builds it on `shapes`; it is disposed after the test. */
function buildStrategy(options: unknown, shapes: TapShapes, context = vidContext()): DistillationStrategy {
  const strategy = featureVid.create(options, context);
  built.push(strategy);
  strategy.build?.(shapes);
  return strategy;
}

/** One batch: the student's tapped features, and teacher `teacher`'s. */
function batchOf(
  studentFeatures: Record<string, tf.Tensor>,
  teacherFeatures: Record<string, tf.Tensor>,
  teacher = 'wide',
): DistillationContext {
  return distillationContext({
    student: { logits, features: studentFeatures },
    teachers: { [teacher]: { logits, features: teacherFeatures } },
    labels,
  });
}

function createError(options: unknown, context = vidContext()): string {
  try {
    featureVid.create(options, context);
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    return (error as Error).message;
  }
  throw new Error('expected create() to throw');
}

/** s with softplus(s) = v exactly: log(e^v − 1). */
const logScaleFor = (variance: number) => Math.log(Math.expm1(variance));

const onePair = { pairs: [{ student: 's_conv', teacher: 't_conv' }] };

describe('feature.vid options', () => {
  it('requires at least one pair of layer names', () => {
    expect(createError({})).toMatch(/^strategies\[0\]\.options\.pairs: expected an array of/);
    expect(createError({ pairs: [] })).toMatch(/^strategies\[0\]\.options\.pairs: expected at least one/);
    expect(createError({ pairs: [{ student: 's_conv' }] })).toBe('strategies[0].options.pairs[0].teacher: expected a layer name');
    expect(createError({ pairs: [{ student: '', teacher: 't' }] })).toBe(
      'strategies[0].options.pairs[0].student: expected a layer name',
    );
  });

  it('rejects unknown keys, in a pair and at the top', () => {
    expect(createError({ pairs: [{ student: 'a', teacher: 'b', weight: 2 }] })).toBe(
      "strategies[0].options.pairs[0]: unknown key 'weight'",
    );
    expect(createError({ ...onePair, resize: 'bilinear' })).toBe("strategies[0].options: unknown key 'resize'");
  });

  it('takes midChannels as a positive integer, initVariance > 0 and eps ≥ 0', () => {
    expect(createError({ ...onePair, midChannels: 0 })).toBe('strategies[0].options.midChannels: expected a positive integer');
    expect(createError({ ...onePair, midChannels: 2.5 })).toBe('strategies[0].options.midChannels: expected a positive integer');
    expect(createError({ ...onePair, initVariance: -1 })).toBe('strategies[0].options.initVariance: expected a positive number');
    expect(createError({ ...onePair, eps: -1e-5 })).toBe('strategies[0].options.eps: expected a number ≥ 0');
    expect(createError({ ...onePair, eps: 'small' })).toBe('strategies[0].options.eps: expected a number ≥ 0');
  });

  it('needs initVariance above eps, since the variance softplus(s) + eps cannot go below eps', () => {
    expect(createError({ ...onePair, initVariance: 1e-6 })).toBe(
      'strategies[0].options.initVariance: expected a number above eps (0.00001), got 0.000001',
    );
    expect(createError({ ...onePair, initVariance: 0.5, eps: 0.5 })).toBe(
      'strategies[0].options.initVariance: expected a number above eps (0.5), got 0.5',
    );
  });

  it('names an unknown teacher, and needs one in the experiment', () => {
    expect(createError({ ...onePair, teacher: 'tiny' })).toBe(
      "strategies[0].options.teacher: unknown teacher 'tiny'; the teachers are: wide, deep",
    );
    expect(createError(onePair, vidContext({ teacherNames: [] }))).toBe(
      'strategies[0].options.teacher: feature.vid needs a teacher, but the experiment has none',
    );
  });

  it('describes every option, and names its paper', () => {
    const shape = (featureVid.optionsSchema as z.ZodObject).shape;
    expect(Object.keys(shape).sort()).toEqual(['eps', 'initVariance', 'midChannels', 'pairs', 'teacher']);
    for (const field of Object.values(shape)) expect((field as z.ZodType).description).toMatch(/\w/);
    expect(featureVid.paper).toContain('Variational Information Distillation for Knowledge Transfer');
  });
});

describe('feature.vid', () => {
  it("taps each pair's layers, on the first teacher by default or the one named", () => {
    const options = {
      pairs: [
        { student: 's1', teacher: 't1' },
        { student: 's2', teacher: 't1' },
      ],
    };
    const strategy = featureVid.create(options, vidContext());
    expect(strategy.key).toBe('feature.vid');
    expect(strategy.taps).toEqual({ student: ['s1', 's2'], teachers: { wide: ['t1'] } });
    expect(featureVid.create({ ...options, teacher: 'deep' }, vidContext()).taps?.teachers).toEqual({ deep: ['t1'] });
  });

  it('owns three kernels and a log-scale per pair once built, named under the term, and frees them on dispose', () => {
    const shapes: TapShapes = {
      student: { s1: [null, 8, 8, 2], s2: [null, 6] },
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
    const first = featureVid.create(options, vidContext());
    expect(first.variables?.()).toEqual([]);
    first.build?.(shapes);
    const variables = first.variables?.() ?? [];
    expect(variables.map((variable) => variable.shape)).toEqual([
      [1, 1, 2, 5],
      [1, 1, 5, 5],
      [1, 1, 5, 5],
      [5],
      [6, 9],
      [9, 9],
      [9, 9],
      [9],
    ]);
    const second = buildStrategy({ ...options, midChannels: 4 }, shapes);
    expect(second.variables?.().map((variable) => variable.shape)).toEqual([
      [1, 1, 2, 4],
      [1, 1, 4, 4],
      [1, 1, 4, 5],
      [5],
      [6, 4],
      [4, 4],
      [4, 9],
      [9],
    ]);
    const pairNames = (suffix: string) =>
      [0, 1].flatMap((p) =>
        ['kernel1', 'kernel2', 'kernel3', 'logScale'].map((local) => `feature.vid/pairs[${p}]/${local}${suffix}`),
      );
    expect([...variables, ...(second.variables?.() ?? [])].map((variable) => variable.name)).toEqual([
      ...pairNames(''),
      ...pairNames('#2'),
    ]);
    // A second build replaces the variables of the first.
    first.build?.(shapes);
    expect(variables.every((variable) => variable.isDisposed)).toBe(true);
    first.dispose?.();
    expect(first.variables?.()).toEqual([]);
    second.dispose?.();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("seeds pair p's kernel k '<training seed>/feature.vid/<p>/kernel<k>' and starts every variance at initVariance", async () => {
    const strategy = buildStrategy(
      {
        pairs: [
          { student: 'a', teacher: 'x' },
          { student: 'b', teacher: 'y' },
        ],
        initVariance: 2,
      },
      { student: { a: [null, 3], b: [null, 4] }, teachers: { wide: { x: [null, 2], y: [null, 5] } }, numClasses: 3 },
    );
    const variables = strategy.variables?.() ?? [];
    // Pair 1, kernel 1: [4, 5], fan_in 4, U(±1/2).
    const expected = await expectNoLeaks(() =>
      tf.tidy(() => Array.from(tf.randomUniform([4, 5], -0.5, 0.5, 'float32', '7/feature.vid/1/kernel1').dataSync())),
    );
    expect(Array.from((variables[4] as tf.Variable).dataSync())).toEqual(expected);
    // log(exp(2 − 1e-5) − 1) for each of pair 1's 5 channels.
    expect(Array.from((variables[7] as tf.Variable).dataSync())).toEqual(new Array(5).fill(Math.fround(logScaleFor(2 - 1e-5))));
  });

  it('is the mean over pairs of vidLoss(μ_p(f_s), f_t, s_p), on regressors built by hand', async () => {
    const strategy = buildStrategy(
      {
        pairs: [
          { student: 'a', teacher: 'x' },
          { student: 'b', teacher: 'y' },
        ],
        eps: 0,
      },
      { student: { a: [null, 2], b: [null, 3] }, teachers: { wide: { x: [null, 2], y: [null, 2] } }, numClasses: 3 },
    );
    const [a1, a2, a3, aScale, b1, b2, b3, bScale] = strategy.variables?.() ?? [];
    for (const kernel of [a1, a2, a3, b2]) kernel?.assign(tf.eye(2));
    b1?.assign(tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]));
    b3?.assign(tf.tensor2d([2, 0, 0, 1], [2, 2]));
    aScale?.assign(tf.fill([2], logScaleFor(1)));
    bScale?.assign(tf.fill([2], logScaleFor(Math.E)));
    const features = {
      a: tf.tensor2d([1, -2, 0.5, 3], [2, 2]),
      b: tf.tensor2d([1, 2, -1, 0, -1, 3], [2, 3]),
      x: tf.tensor2d([0, 0, 0.5, 1], [2, 2]),
      y: tf.tensor2d([0, 0, 5, 2], [2, 2]),
    };
    const batch = batchOf({ a: features.a, b: features.b }, { x: features.x, y: features.y });
    const value = await strategyLoss(strategy, batch);
    // Pair a: identity kernels, μ = relu(f_s) = [[1, 0], [0.5, 3]]; t = [[0, 0], [0.5, 1]]: d² = 1, 0, 0, 4; σ² = 1:
    //   mean ½(d² + log 1) = ½ · 5/4 = 0.625.
    // Pair b: f_s·K₁ = [1 − 1, 2 − 1] = [0, 1] and [0 + 3, −1 + 3] = [3, 2] (ReLU keeps them), K₂ = I, ·K₃ = [0, 1], [6, 2];
    //   t = [[0, 0], [5, 2]]: d² = 0, 1, 1, 0; σ² = e: mean ½(d²/e + 1) = ½(2/(4e) + 1) = 0.5 + 0.25/e.
    // Mean over the two pairs: (0.625 + 0.5 + 0.25/e)/2 = 0.5625 + 0.125/e.
    expect(value).toBeCloseTo(0.5625 + 0.125 / Math.E, 5);
    const direct = await expectNoLeaks(() =>
      tf.tidy(() => {
        const pairA = vidLoss(tf.tensor2d([1, 0, 0.5, 3], [2, 2]), features.x, aScale as tf.Tensor, { eps: 0 });
        const pairB = vidLoss(tf.tensor2d([0, 1, 6, 2], [2, 2]), features.y, bScale as tf.Tensor, { eps: 0 });
        return tf.div(tf.add(pairA, pairB), 2).dataSync()[0] as number;
      }),
    );
    expect(value).toBeCloseTo(direct, 6);
    tf.dispose(Object.values(features));
  });

  it('average-pools a student map four times the teacher’s before the regressor, and reads the teacher it names', async () => {
    const strategy = buildStrategy(
      { ...onePair, teacher: 'deep', eps: 0.01 },
      { student: { s_conv: [null, 8, 8, 2] }, teachers: { deep: { t_conv: [null, 2, 2, 3] } }, numClasses: 3 },
    );
    const [k1, k2, k3, logScale] = strategy.variables?.() ?? [];
    const studentFeature = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 8);
    const teacherFeature = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 9);
    const value = await strategyLoss(strategy, batchOf({ s_conv: studentFeature }, { t_conv: teacherFeature }, 'deep'));
    const expected = await expectNoLeaks(() =>
      tf.tidy(() => {
        const conv = (x: tf.Tensor, kernel: tf.Tensor | undefined) =>
          tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'valid');
        // Each output pixel is the mean of a 4×4 block (a half-pixel bilinear resize would blend only its middle 2×2).
        const pooled = tf.avgPool(studentFeature as tf.Tensor4D, 4, 4, 'valid');
        const mean = conv(tf.relu(conv(tf.relu(conv(pooled, k1)), k2)), k3);
        return vidLoss(mean, teacherFeature, logScale as tf.Tensor, { eps: 0.01 }).dataSync()[0] as number;
      }),
    );
    expect(value).toBeCloseTo(expected, 5);
    tf.dispose([studentFeature, teacherFeature]);
  });

  it('sends gradients to every variable of every pair and, through the features, to the student', async () => {
    const strategy = buildStrategy(
      {
        pairs: [
          { student: 's_conv', teacher: 't_conv' },
          { student: 's_conv', teacher: 't_small' },
        ],
      },
      {
        student: { s_conv: [null, 4, 4, 2] },
        teachers: { wide: { t_conv: [null, 4, 4, 5], t_small: [null, 3, 3, 6] } },
        numClasses: 3,
      },
    );
    const studentKernel = tf.variable(
      tf.randomNormal([3, 3, 1, 2], 0, 1, 'float32', 3),
      true,
      uniqueVariableName('test/student'),
    );
    const images = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 4);
    const teacherFeatures = {
      t_conv: tf.randomNormal([2, 4, 4, 5], 0, 1, 'float32', 5),
      t_small: tf.randomNormal([2, 3, 3, 6], 0, 1, 'float32', 6),
    };
    const trainable = [studentKernel, ...(strategy.variables?.() ?? [])];
    const gradientSizes = await expectNoLeaks(async () => {
      const sizes = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const studentFeature = tf.conv2d(images as tf.Tensor4D, studentKernel as tf.Tensor4D, 1, 'same');
          return lossTotal(strategy.loss(batchOf({ s_conv: studentFeature }, teacherFeatures)));
        }, trainable);
        value.dispose();
        return trainable.map((variable) => tf.sum(tf.abs(grads[variable.name] as tf.Tensor)));
      });
      const values = await Promise.all(sizes.map(async (size) => (await size.data())[0] as number));
      tf.dispose(sizes);
      return values;
    });
    expect(gradientSizes).toHaveLength(9);
    for (const size of gradientSizes) expect(size).toBeGreaterThan(0);
    tf.dispose([studentKernel, images, ...Object.values(teacherFeatures)]);
  });

  it('refuses a map paired with a vector at build time, freeing the pairs it had built', () => {
    const before = tf.memory().numTensors;
    const strategy = featureVid.create(
      {
        pairs: [
          { student: 's1', teacher: 't1' },
          { student: 's_conv', teacher: 't_vector' },
        ],
      },
      vidContext(),
    );
    const shapes: TapShapes = {
      student: { s1: [null, 4, 4, 2], s_conv: [null, 4, 4, 2] },
      teachers: { wide: { t1: [null, 4, 4, 3], t_vector: [null, 10] } },
      numClasses: 3,
    };
    expect(() => strategy.build?.(shapes)).toThrow(DistilleryError);
    expect(() => strategy.build?.(shapes)).toThrow(
      "strategies[0].options.pairs[1]: cannot regress student layer 's_conv' [B, 4, 4, 2] onto teacher 'wide' layer 't_vector' [B, 10]: pair two NHWC maps [B, H, W, C] (1×1 conv regressor) or two vectors [B, D] (dense regressor)",
    );
    expect(strategy.variables?.()).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says so when loss() comes before build(), and leaks nothing across repeated loss calls', async () => {
    const shapes: TapShapes = {
      student: { s_conv: [null, 4, 4, 2] },
      teachers: { wide: { t_conv: [null, 2, 2, 3] } },
      numClasses: 3,
    };
    const studentFeature = tf.ones([1, 4, 4, 2]);
    const teacherFeature = tf.zeros([1, 2, 2, 3]);
    const batch = batchOf({ s_conv: studentFeature }, { t_conv: teacherFeature });
    const unbuilt = featureVid.create(onePair, vidContext());
    expect(() => unbuilt.loss(batch)).toThrow('feature.vid: loss() called before build()');
    const strategy = buildStrategy(onePair, shapes);
    await expectNoLeaks(async () => {
      for (let i = 0; i < 3; i++) expect(Number.isFinite(await strategyLoss(strategy, batch))).toBe(true);
    });
    tf.dispose([studentFeature, teacherFeature]);
  });
});

describe('feature.vid in an experiment', () => {
  // 20 real training steps: a few seconds, several times that on a loaded 2-core machine, so the limit only guards against hangs.
  it('trains fixture CNNs: the VID term falls, the teacher stays frozen, nothing leaks, dispose frees the regressors', {
    timeout: 60_000,
  }, async () => {
    // Random 8×8×1 inputs labelled by the sign of their mean: the teacher's features are the targets, the labels feed task.ce.
    const inputs = tf.randomNormal([64, 8, 8, 1], 0, 1, 'float32', 11);
    const classes = tf.tidy(() => tf.cast(tf.greater(tf.mean(inputs, [1, 2, 3]), 0), 'int32'));
    const data = new TensorDataset(inputs, classes);
    const teacher = fixtureCnn({ inputShape: [8, 8, 1], channels: [8, 16], classes: 2, prefix: 'teacher', seed: 1 });
    const student = fixtureCnn({ inputShape: [8, 8, 1], channels: [4, 6], classes: 2, prefix: 'student', seed: 21 });
    const teacherBefore = weightsOf(teacher);
    // student_conv1 [B, 8, 8, 4] → teacher_conv2 [B, 4, 4, 16] is average-pooled 2×2 first; student_conv2 [B, 4, 4, 6] matches.
    const distiller = createDistiller({
      teachers: [{ name: 'cnn', model: teacher }],
      student: { model: student },
      strategies: [
        { key: 'task.ce', weight: 1 },
        {
          key: 'feature.vid',
          weight: 1,
          options: {
            pairs: [
              { student: 'student_conv1', teacher: 'teacher_conv2' },
              { student: 'student_conv2', teacher: 'teacher_conv2' },
            ],
          },
        },
      ],
      training: { epochs: 5, batchSize: 16, seed: 2, optimizer: { name: 'adam', learningRate: 0.05 } },
      plugins: [featurePlugin],
      backend: 'cpu',
      logger: silentLogger,
    });
    const variables = distiller.strategyVariables();
    expect(variables.map((variable) => variable.name)).toEqual(
      [0, 1].flatMap((p) => ['kernel1', 'kernel2', 'kernel3', 'logScale'].map((local) => `feature.vid/pairs[${p}]/${local}`)),
    );
    const tensorsAtEpochEnd: number[] = [];
    distiller.on('epochEnd', () => {
      tensorsAtEpochEnd.push(tf.memory().numTensors);
    });
    const history: EpochMetrics[] = await distiller.fit(data);

    const vid = history.map((epoch) => epoch.losses['feature.vid'] as number);
    expect(vid.every(Number.isFinite)).toBe(true);
    // At the start every σ² = 5, so the loss is ½ ln 5 ≈ 0.80 plus the mean squared error over 10 (≈ 0.9 in all); the
    // regressors and the variances both bring it down, the variances from 5 towards the regressors' squared error.
    expect(vid[vid.length - 1]).toBeLessThan((vid[0] as number) - 0.08);
    const startLogScale = Math.log(Math.expm1(5 - 1e-5));
    for (const logScale of variables.filter((variable) => variable.name.endsWith('logScale'))) {
      expect(Math.max(...logScale.dataSync())).toBeLessThan(startLogScale - 0.2);
    }
    expect(weightsOf(teacher)).toEqual(teacherBefore);
    expect(tensorsAtEpochEnd).toHaveLength(5);
    expect(new Set(tensorsAtEpochEnd).size).toBe(1);

    distiller.dispose();
    expect(variables.every((variable) => variable.isDisposed)).toBe(true);
    data.dispose();
    teacher.dispose();
    student.dispose();
  });
});
