import '@tensorflow/tfjs-backend-cpu';
import {
  createDistiller,
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
  type EpochMetrics,
  lossTotal,
  type StrategyCreationContext,
  type StrategyLoss,
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
  strategyLossParts,
  weightsOf,
} from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { featureOfd } from './featureOfd.js';
import { featurePlugin } from './featurePlugin.js';
import { ofdLoss } from './ofdLoss.js';
import { ofdMargin } from './ofdMargin.js';

let labels: tf.Tensor1D;
let logits: tf.Tensor2D;
/** Vectors [B, 1] → dense `t_dense1` → batch norm `t_bn1` (γ 1, β 0) → ReLU; then dense → `t_bn2` (γ 2, β −2) → ReLU. */
let vectorTeacher: tfl.LayersModel;
/** One residual block as the zoo builds it: the add `t_s1b1_add` [B, 4, 4, 3] is the pre-ReLU map, fed by `t_s1b1_conv2_bn`. */
let residualTeacher: tfl.LayersModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  labels = tf.tensor1d([0, 1], 'int32');
  logits = tf.zeros([2, 3]);
  vectorTeacher = (() => {
    const input = tfl.input({ shape: [1] });
    let x = tfl.layers.dense({ name: 't_dense1', units: 1 }).apply(input) as tfl.SymbolicTensor;
    x = tfl.layers
      .reLU({ name: 't_relu1' })
      .apply(tfl.layers.batchNormalization({ name: 't_bn1' }).apply(x)) as tfl.SymbolicTensor;
    x = tfl.layers.dense({ name: 't_dense2', units: 1 }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers
      .reLU({ name: 't_relu2' })
      .apply(tfl.layers.batchNormalization({ name: 't_bn2' }).apply(x)) as tfl.SymbolicTensor;
    return tfl.model({ inputs: input, outputs: tfl.layers.dense({ name: 't_logits', units: 3 }).apply(x) as tfl.SymbolicTensor });
  })();
  tf.tidy(() => {
    const [gamma, beta] = vectorTeacher.getLayer('t_bn2').weights;
    gamma?.write(tf.tensor1d([2]));
    beta?.write(tf.tensor1d([-2]));
  });
  residualTeacher = (() => {
    const input = tfl.input({ shape: [4, 4, 3] });
    const conv = (x: tfl.SymbolicTensor, name: string) =>
      tfl.layers.conv2d({ name, filters: 3, kernelSize: 3, padding: 'same', useBias: false }).apply(x) as tfl.SymbolicTensor;
    const bn = (x: tfl.SymbolicTensor, name: string) => tfl.layers.batchNormalization({ name }).apply(x) as tfl.SymbolicTensor;
    const branch = tfl.layers.reLU({ name: 't_s1b1_conv1_relu' }).apply(bn(conv(input, 't_s1b1_conv1'), 't_s1b1_conv1_bn'));
    const residual = bn(conv(branch as tfl.SymbolicTensor, 't_s1b1_conv2'), 't_s1b1_conv2_bn');
    const added = tfl.layers.add({ name: 't_s1b1_add' }).apply([residual, input]) as tfl.SymbolicTensor;
    const stage = tfl.layers.reLU({ name: 't_stage1' }).apply(added) as tfl.SymbolicTensor;
    const pooled = tfl.layers.globalAveragePooling2d({ name: 't_pool' }).apply(stage) as tfl.SymbolicTensor;
    return tfl.model({
      inputs: input,
      outputs: tfl.layers.dense({ name: 't_logits', units: 3 }).apply(pooled) as tfl.SymbolicTensor,
    });
  })();
});

afterAll(() => {
  tf.dispose([labels, logits]);
  vectorTeacher.dispose();
  residualTeacher.dispose();
});

const built: DistillationStrategy[] = [];

afterEach(() => {
  for (const strategy of built.splice(0)) strategy.dispose?.();
});

/** The spec's experiment: teachers 'wide' (the vector net) and 'deep' (the residual block), seed 7. */
function ofdContext(overrides: Parameters<typeof creationContext>[0] = {}): StrategyCreationContext {
  return creationContext({
    teacherModels: { wide: vectorTeacher, deep: residualTeacher },
    seed: 7,
    term: 'feature.ofd',
    ...overrides,
  });
}

const vectorShapes: TapShapes = {
  student: { s1: [null, 1], s2: [null, 2] },
  teachers: { wide: { t_bn1: [null, 1], t_bn2: [null, 1] } },
  numClasses: 3,
};

/** Creates the strategy and builds it on `shapes`; it is disposed after the test. */
function buildStrategy(options: unknown, shapes: TapShapes = vectorShapes, context = ofdContext()): DistillationStrategy {
  const strategy = featureOfd.create(options, context);
  built.push(strategy);
  strategy.build?.(shapes);
  return strategy;
}

function batchOf(student: Record<string, tf.Tensor>, teacher: Record<string, tf.Tensor>, name = 'wide'): DistillationContext {
  return distillationContext({
    student: { logits, features: student },
    teachers: { [name]: { logits, features: teacher } },
    labels,
  });
}

function errorOf(action: () => unknown): DistilleryError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    return error as DistilleryError;
  }
  throw new Error('expected a DistilleryError');
}

const createError = (options: unknown, context = ofdContext()) => errorOf(() => featureOfd.create(options, context)).message;

const firstPair = { student: 's1', teacher: 't_bn1', teacherBatchNorm: 't_bn1' };
const secondPair = { student: 's2', teacher: 't_bn2', teacherBatchNorm: 't_bn2' };

describe('feature.ofd options', () => {
  it('requires pairs of student, teacher and teacherBatchNorm layers', () => {
    expect(createError({})).toMatch(/^strategies\[0\]\.options\.pairs: expected an array of \{ student/);
    expect(createError({ pairs: [] })).toMatch(/^strategies\[0\]\.options\.pairs: expected at least one/);
    expect(createError({ pairs: [{ student: 's1', teacher: 't_bn1' }] })).toBe(
      'strategies[0].options.pairs[0].teacherBatchNorm: expected a layer name',
    );
    expect(createError({ pairs: [{ ...firstPair, margin: -1 }] })).toBe("strategies[0].options.pairs[0]: unknown key 'margin'");
    expect(createError({ pairs: [firstPair], weight: 1 })).toBe("strategies[0].options: unknown key 'weight'");
  });

  it('takes pairWeights as numbers ≥ 0, one per pair', () => {
    expect(createError({ pairs: [firstPair], pairWeights: [-1] })).toBe(
      'strategies[0].options.pairWeights[0]: expected a number ≥ 0',
    );
    const mismatch = errorOf(() => featureOfd.create({ pairs: [firstPair, secondPair], pairWeights: [1] }, ofdContext()));
    expect(mismatch.message).toBe('strategies[0].options.pairWeights: expected 2 weights, one per pair, got 1');
    expect(mismatch.field).toBe('strategies[0].options.pairWeights');
  });

  it('names an unknown teacher, and needs one in the experiment', () => {
    expect(createError({ pairs: [firstPair], teacher: 'tiny' })).toBe(
      "strategies[0].options.teacher: unknown teacher 'tiny'; the teachers are: wide, deep",
    );
    expect(createError({ pairs: [firstPair] }, ofdContext({ teacherNames: [] }))).toBe(
      'strategies[0].options.teacher: feature.ofd needs a teacher, but the experiment has none',
    );
  });

  it('describes every option, and names its paper', () => {
    const shape = (featureOfd.optionsSchema as z.ZodObject).shape;
    expect(Object.keys(shape).sort()).toEqual(['pairWeights', 'pairs', 'teacher']);
    for (const field of Object.values(shape)) expect((field as z.ZodType).description).toMatch(/\w/);
    expect(featureOfd.paper).toContain('A Comprehensive Overhaul of Feature Distillation');
  });
});

describe('feature.ofd', () => {
  it("taps each pair's layers once, on the first teacher by default or the one named, and declares a part per pair", () => {
    const strategy = featureOfd.create({ pairs: [firstPair, { ...firstPair, student: 's2' }, secondPair] }, ofdContext());
    expect(strategy.key).toBe('feature.ofd');
    expect(strategy.taps).toEqual({ student: ['s1', 's2'], teachers: { wide: ['t_bn1', 't_bn2'] } });
    expect(strategy.lossParts).toEqual(['pair1', 'pair2', 'pair3']);
    const named = featureOfd.create(
      { pairs: [{ student: 's', teacher: 't_s1b1_add', teacherBatchNorm: 't_s1b1_conv2_bn' }], teacher: 'deep' },
      ofdContext(),
    );
    expect(named.taps?.teachers).toEqual({ deep: ['t_s1b1_add'] });
  });

  it('owns a connector kernel, γ and β per pair once built, named under the term, and frees them on dispose', () => {
    const before = tf.memory().numTensors;
    const first = featureOfd.create({ pairs: [firstPair, secondPair] }, ofdContext());
    expect(first.variables?.()).toEqual([]);
    first.build?.(vectorShapes);
    const variables = first.variables?.() ?? [];
    expect(variables.map((variable) => [variable.name, variable.shape])).toEqual([
      ['feature.ofd/pairs[0]/kernel', [1, 1]],
      ['feature.ofd/pairs[0]/gamma', [1]],
      ['feature.ofd/pairs[0]/beta', [1]],
      ['feature.ofd/pairs[1]/kernel', [2, 1]],
      ['feature.ofd/pairs[1]/gamma', [1]],
      ['feature.ofd/pairs[1]/beta', [1]],
    ]);
    first.build?.(vectorShapes);
    expect(variables.every((variable) => variable.isDisposed)).toBe(true);
    first.dispose?.();
    expect(first.variables?.()).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("is the partial L2 to the teacher's feature raised to its batch norm's margin, by hand", async () => {
    const strategy = buildStrategy({ pairs: [firstPair] });
    const [kernel] = strategy.variables?.() ?? [];
    kernel?.assign(tf.tensor2d([[1]]));
    const student = tf.tensor2d([[1], [3]]);
    const teacher = tf.tensor2d([[-2], [0.5]]);
    // t_bn1 has γ = 1, β = 0: m = −√(2/π) = −0.798. The connector: y = [1, 3], batch mean 2, variance 1 →
    // c = (y − 2)/√(1 + 1e-5) ≈ [−1, 1]. t̂ = max(t, m) = [−0.798, 0.5]:
    //   example 0: c = −1 is below t̂ = −0.798 ≤ 0: free, 0;  example 1: t̂ = 0.5 > 0: (1 − 0.5)² = 0.25.
    // Sum over the batch of 2: 0.25 / 2 = 0.125 (one pair, weight 1/2⁰ = 1).
    const value = await strategyLoss(strategy, batchOf({ s1: student }, { t_bn1: teacher }));
    expect(value).toBeCloseTo(0.125, 4);
    tf.dispose([student, teacher]);
  });

  it("weighs pair p of P by 1/2^(P−1−p), or by pairWeights, and reports each pair's loss before its weight", async () => {
    const features = {
      s1: tf.tensor2d([[0.3], [-1.2], [2]]),
      s2: tf.tensor2d([
        [1, -1],
        [0.5, 2],
        [-0.3, 0.1],
      ]),
      t_bn1: tf.tensor2d([[-0.1], [0.4], [-3]]),
      t_bn2: tf.tensor2d([[1.5], [-4], [0.2]]),
    };
    const batch = batchOf({ s1: features.s1, s2: features.s2 }, { t_bn1: features.t_bn1, t_bn2: features.t_bn2 });
    const strategy = buildStrategy({ pairs: [firstPair, secondPair] });
    const [k1, , , k2] = strategy.variables?.() ?? [];
    const { total, parts } = await strategyLossParts(strategy, batch);
    // Each part: the connector's output against the teacher's feature, with the margins of t_bn1 (γ 1, β 0) and
    // t_bn2 (γ 2, β −2: the hand-worked −2.5752).
    const direct = await expectNoLeaks(() =>
      tf.tidy(() => {
        const connect = (x: tf.Tensor, kernel: tf.Tensor | undefined) => {
          const y = tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
          const { mean, variance } = tf.moments(y, 0);
          return tf.div(tf.sub(y, mean), tf.sqrt(tf.add(variance, 1e-5)));
        };
        return [
          ofdLoss(connect(features.s1, k1), features.t_bn1, tf.tensor1d([ofdMargin(1, 0)])).dataSync()[0] as number,
          ofdLoss(connect(features.s2, k2), features.t_bn2, tf.tensor1d([ofdMargin(2, -2)])).dataSync()[0] as number,
        ];
      }),
    );
    expect(parts.pair1).toBeCloseTo(direct[0] as number, 5);
    expect(parts.pair2).toBeCloseTo(direct[1] as number, 5);
    expect(parts.pair2).toBeGreaterThan(0);
    expect(total).toBeCloseTo(0.5 * (parts.pair1 as number) + (parts.pair2 as number), 5);
    const weighted = buildStrategy({ pairs: [firstPair, secondPair], pairWeights: [3, 0] });
    const [w1, , , w2] = weighted.variables?.() ?? [];
    w1?.assign(k1 as tf.Variable);
    w2?.assign(k2 as tf.Variable);
    expect(await strategyLoss(weighted, batch)).toBeCloseTo(3 * (parts.pair1 as number), 5);
    tf.dispose(Object.values(features));
  });

  it("reads the margins of the residual branch's last batch norm for a zoo-style block's pre-ReLU add", async () => {
    tf.tidy(() => {
      const [gamma, beta] = residualTeacher.getLayer('t_s1b1_conv2_bn').weights;
      gamma?.write(tf.tensor1d([1, 2, 1]));
      beta?.write(tf.tensor1d([0, -2, 3.1]));
    });
    const strategy = buildStrategy(
      { teacher: 'deep', pairs: [{ student: 's', teacher: 't_s1b1_add', teacherBatchNorm: 't_s1b1_conv2_bn' }] },
      { student: { s: [null, 4, 4, 2] }, teachers: { deep: { t_s1b1_add: [null, 4, 4, 3] } }, numClasses: 3 },
    );
    // A teacher map far below every margin and a student far below it: only s > t̂ = m counts, so with the connector's
    // output c the loss is Σ relu(c − m)² / B over margins [−0.798, −2.575, −3] (−3: Φ(−3.1) ≤ 0.001).
    const student = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 4);
    const teacher = tf.fill([2, 4, 4, 3], -50);
    const value = await strategyLoss(strategy, batchOf({ s: student }, { t_s1b1_add: teacher }, 'deep'));
    const [kernel] = strategy.variables?.() ?? [];
    const expected = tf.tidy(() => {
      const y = tf.conv2d(student as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'valid');
      const { mean, variance } = tf.moments(y, [0, 1, 2]);
      const c = tf.div(tf.sub(y, mean), tf.sqrt(tf.add(variance, 1e-5)));
      const margins = tf.tensor1d([-Math.sqrt(2 / Math.PI), ofdMargin(2, -2), -3]);
      return tf.div(tf.sum(tf.square(tf.relu(tf.sub(c, margins)))), 2).dataSync()[0] as number;
    });
    expect(value).toBeCloseTo(expected, 4);
    tf.dispose([student, teacher]);
  });

  it("stops at build with the option's path when the batch norm is missing, is not one, or has other channels", () => {
    const before = tf.memory().numTensors;
    const build = (pair: object, shapes: TapShapes = vectorShapes) => {
      const strategy = featureOfd.create({ pairs: [firstPair, pair] }, ofdContext());
      const error = errorOf(() => strategy.build?.(shapes));
      expect(strategy.variables?.()).toEqual([]);
      return error;
    };
    const missing = build({ ...secondPair, teacherBatchNorm: 't_bn9' });
    expect(missing.message).toBe(
      "strategies[0].options.pairs[1].teacherBatchNorm: teacher 'wide' has no layer 't_bn9' (it has 8 layers)",
    );
    expect(missing.field).toBe('strategies[0].options.pairs[1].teacherBatchNorm');
    expect(build({ ...secondPair, teacherBatchNorm: 't_dense2' }).message).toBe(
      "strategies[0].options.pairs[1].teacherBatchNorm: teacher 'wide' layer 't_dense2' is not a batch normalization layer (it has weights kernel, bias); name the batch norm whose output feeds the ReLU",
    );
    const wider: TapShapes = { ...vectorShapes, teachers: { wide: { t_bn1: [null, 1], t_bn2: [null, 4] } } };
    expect(build(secondPair, wider).message).toBe(
      "strategies[0].options.pairs[1].teacherBatchNorm: teacher 'wide' layer 't_bn2' has 1 channels but teacher layer 't_bn2' has 4; name the batch norm that feeds it",
    );
    const maps: TapShapes = {
      student: { s1: [null, 1], s2: [null, 8, 8, 2] },
      teachers: { wide: { t_bn1: [null, 1], t_bn2: [null, 1] } },
      numClasses: 3,
    };
    expect(build(secondPair, maps).message).toBe(
      "strategies[0].options.pairs[1]: cannot connect student layer 's2' [B, 8, 8, 2] to teacher 'wide' layer 't_bn2' [B, 1]: pair two NHWC maps [B, H, W, C] (1×1 conv connector) or two vectors [B, D] (dense connector)",
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('sends gradients to every connector variable and, through the features, to the student', async () => {
    const strategy = buildStrategy(
      { teacher: 'deep', pairs: [{ student: 's', teacher: 't_s1b1_add', teacherBatchNorm: 't_s1b1_conv2_bn' }] },
      { student: { s: [null, 4, 4, 2] }, teachers: { deep: { t_s1b1_add: [null, 4, 4, 3] } }, numClasses: 3 },
    );
    const studentKernel = tf.variable(
      tf.randomNormal([3, 3, 1, 2], 0, 1, 'float32', 3),
      true,
      uniqueVariableName('test/student'),
    );
    const images = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 4);
    const teacher = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 5);
    const trainable = [studentKernel, ...(strategy.variables?.() ?? [])];
    const sizes = await expectNoLeaks(() =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const feature = tf.conv2d(images as tf.Tensor4D, studentKernel as tf.Tensor4D, 1, 'same');
          return lossTotal(strategy.loss(batchOf({ s: feature }, { t_s1b1_add: teacher }, 'deep')) as StrategyLoss);
        }, trainable);
        value.dispose();
        return trainable.map((variable) => tf.sum(tf.abs(grads[variable.name] as tf.Tensor)).dataSync()[0] as number);
      }),
    );
    expect(sizes).toHaveLength(4);
    for (const size of sizes) expect(size).toBeGreaterThan(0);
    tf.dispose([studentKernel, images, teacher]);
  });

  it('says so when loss() comes before build(), and leaks nothing across repeated loss calls', async () => {
    const student = tf.tensor2d([[1], [2]]);
    const teacher = tf.tensor2d([[0.5], [-1]]);
    const batch = batchOf({ s1: student }, { t_bn1: teacher });
    expect(() => featureOfd.create({ pairs: [firstPair] }, ofdContext()).loss(batch)).toThrow(
      'feature.ofd: loss() called before build()',
    );
    const strategy = buildStrategy({ pairs: [firstPair] });
    await expectNoLeaks(async () => {
      for (let i = 0; i < 3; i++) expect(Number.isFinite(await strategyLoss(strategy, batch))).toBe(true);
    });
    tf.dispose([student, teacher]);
  });
});

describe('feature.ofd in an experiment', () => {
  // 20 real training steps: a few seconds, several times that on a loaded 2-core machine; the limit only guards against hangs.
  it('trains batch-norm CNNs on pre-ReLU features: the term falls, the teacher stays frozen, nothing leaks', {
    timeout: 60_000,
  }, async () => {
    const inputs = tf.randomNormal([64, 8, 8, 1], 0, 1, 'float32', 11);
    const classes = tf.tidy(() => tf.cast(tf.greater(tf.mean(inputs, [1, 2, 3]), 0), 'int32'));
    const data = new TensorDataset(inputs, classes);
    const teacher = fixtureCnn({
      inputShape: [8, 8, 1],
      channels: [8, 16],
      classes: 2,
      prefix: 'teacher',
      seed: 1,
      batchNorm: true,
    });
    const student = fixtureCnn({
      inputShape: [8, 8, 1],
      channels: [4, 6],
      classes: 2,
      prefix: 'student',
      seed: 21,
      batchNorm: true,
    });
    // Margins that differ by channel: γ and β drawn once.
    tf.tidy(() => {
      for (const [layer, channels] of [
        ['teacher_bn1', 8],
        ['teacher_bn2', 16],
      ] as const) {
        const [gamma, beta] = teacher.getLayer(layer).weights;
        gamma?.write(tf.randomUniform([channels], 0.5, 2, 'float32', 1));
        beta?.write(tf.randomUniform([channels], -1, 1, 'float32', 2));
      }
    });
    // Frozen first, as the kernel freezes it: a frozen model lists its weights in another order (moving statistics too).
    teacher.trainable = false;
    const teacherBefore = weightsOf(teacher);
    const distiller = createDistiller({
      teachers: [{ name: 'cnn', model: teacher }],
      student: { model: student },
      strategies: [
        { key: 'task.ce', weight: 1 },
        {
          key: 'feature.ofd',
          weight: 0.05,
          options: {
            pairs: [
              { student: 'student_bn1', teacher: 'teacher_bn1', teacherBatchNorm: 'teacher_bn1' },
              { student: 'student_bn2', teacher: 'teacher_bn2', teacherBatchNorm: 'teacher_bn2' },
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
      [0, 1].flatMap((p) => ['kernel', 'gamma', 'beta'].map((local) => `feature.ofd/pairs[${p}]/${local}`)),
    );
    const tensorsAtEpochEnd: number[] = [];
    distiller.on('epochEnd', () => {
      tensorsAtEpochEnd.push(tf.memory().numTensors);
    });
    const history: EpochMetrics[] = await distiller.fit(data);
    const ofd = history.map((epoch) => epoch.losses['feature.ofd'] as number);
    expect(ofd.every(Number.isFinite)).toBe(true);
    expect(ofd[ofd.length - 1]).toBeLessThan((ofd[0] as number) * 0.7);
    for (const epoch of history) {
      const parts = epoch.lossParts?.['feature.ofd'] ?? {};
      expect(Object.keys(parts)).toEqual(['pair1', 'pair2']);
      expect(epoch.losses['feature.ofd']).toBeCloseTo(0.5 * (parts.pair1 as number) + (parts.pair2 as number), 3);
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
