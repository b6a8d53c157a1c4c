import '@tensorflow/tfjs-backend-cpu';
import {
  createDistiller,
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
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
  strategyLossParts,
  weightsOf,
} from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { featurePlugin } from './featurePlugin.js';
import { featureReview } from './featureReview.js';
import { hclLoss } from './hclLoss.js';
import { KnowledgeReview } from './KnowledgeReview.js';

let labels: tf.Tensor1D;
let logits: tf.Tensor2D;
/** Student stages s1 [4, 4, 4, 2], s2 [4, 2, 2, 3], s3 [4, 5] (pooled); teacher stages t1 [4, 4, 4, 3], t2 [4, 2, 2, 4], t3 [4, 6]. */
let student: Record<string, tf.Tensor>;
let teacher: Record<string, tf.Tensor>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  labels = tf.tensor1d([0, 1, 2, 0], 'int32');
  logits = tf.zeros([4, 3]);
  student = {
    s1: tf.randomNormal([4, 4, 4, 2], 0, 1, 'float32', 1),
    s2: tf.randomNormal([4, 2, 2, 3], 0, 1, 'float32', 2),
    s3: tf.randomNormal([4, 5], 0, 1, 'float32', 3),
  };
  teacher = {
    t1: tf.randomNormal([4, 4, 4, 3], 0, 1, 'float32', 4),
    t2: tf.randomNormal([4, 2, 2, 4], 0, 1, 'float32', 5),
    t3: tf.randomNormal([4, 6], 0, 1, 'float32', 6),
  };
});

afterAll(() => {
  tf.dispose([labels, logits, ...Object.values(student), ...Object.values(teacher)]);
});

const built: DistillationStrategy[] = [];

afterEach(() => {
  for (const strategy of built.splice(0)) strategy.dispose?.();
});

/** The spec's experiment: teachers 'wide' and 'deep', seed 7, the term named after the key. */
function reviewContext(overrides: Parameters<typeof creationContext>[0] = {}): StrategyCreationContext {
  return creationContext({ teacherNames: ['wide', 'deep'], seed: 7, term: 'feature.review', ...overrides });
}

const shapes: TapShapes = {
  student: { s1: [null, 4, 4, 2], s2: [null, 2, 2, 3], s3: [null, 5] },
  teachers: { wide: { t1: [null, 4, 4, 3], t2: [null, 2, 2, 4], t3: [null, 6] } },
  numClasses: 3,
};
const threeStages = {
  pairs: [
    { student: 's1', teacher: 't1' },
    { student: 's2', teacher: 't2' },
    { student: 's3', teacher: 't3' },
  ],
};

/** Creates the strategy and builds it; it is disposed after the test. */
function buildStrategy(options: unknown, tapShapes: TapShapes = shapes, context = reviewContext()): DistillationStrategy {
  const strategy = featureReview.create(options, context);
  built.push(strategy);
  strategy.build?.(tapShapes);
  return strategy;
}

/** The batch context of the stage features above, at `epoch` (one step per epoch). */
function batchAt(epoch = 0): DistillationContext {
  return distillationContext({
    student: { logits, features: student },
    teachers: { wide: { logits, features: teacher } },
    labels,
    step: epoch,
    epochs: 30,
  });
}

function createError(options: unknown, context = reviewContext()): string {
  try {
    featureReview.create(options, context);
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    return (error as Error).message;
  }
  throw new Error('expected create() to throw');
}

function buildError(options: unknown, tapShapes: TapShapes): string {
  const strategy = featureReview.create(options, reviewContext());
  built.push(strategy);
  const before = tf.memory().numTensors;
  try {
    strategy.build?.(tapShapes);
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    expect(tf.memory().numTensors).toBe(before);
    return (error as Error).message;
  }
  throw new Error('expected build() to throw');
}

describe('feature.review options', () => {
  it('requires at least one pair of layer names', () => {
    expect(createError({})).toMatch(/^strategies\[0\]\.options\.pairs: expected an array of/);
    expect(createError({ pairs: [] })).toMatch(/^strategies\[0\]\.options\.pairs: expected at least one/);
    expect(createError({ pairs: [{ student: 's1' }] })).toBe('strategies[0].options.pairs[0].teacher: expected a layer name');
  });

  it('takes midChannels as a positive integer and warmupEpochs as an integer ≥ 0', () => {
    expect(createError({ ...threeStages, midChannels: 0 })).toBe(
      'strategies[0].options.midChannels: expected a positive integer',
    );
    expect(createError({ ...threeStages, midChannels: 2.5 })).toBe(
      'strategies[0].options.midChannels: expected a positive integer',
    );
    expect(createError({ ...threeStages, warmupEpochs: -1 })).toBe('strategies[0].options.warmupEpochs: expected an integer ≥ 0');
    expect(createError({ ...threeStages, warmupEpochs: 'soon' })).toBe(
      'strategies[0].options.warmupEpochs: expected an integer ≥ 0',
    );
  });

  it('rejects unknown keys and unknown teachers', () => {
    expect(createError({ ...threeStages, resize: 'bilinear' })).toBe("strategies[0].options: unknown key 'resize'");
    expect(createError({ ...threeStages, teacher: 'tiny' })).toBe(
      "strategies[0].options.teacher: unknown teacher 'tiny'; the teachers are: wide, deep",
    );
    expect(createError(threeStages, reviewContext({ teacherNames: [] }))).toBe(
      'strategies[0].options.teacher: feature.review needs a teacher, but the experiment has none',
    );
  });

  it('describes every option for the JSON Schema and `distillery strategies`', () => {
    const schema = z.toJSONSchema(featureReview.optionsSchema as z.ZodType) as {
      properties: Record<string, { description?: string }>;
    };
    expect(Object.keys(schema.properties)).toEqual(['teacher', 'pairs', 'midChannels', 'warmupEpochs']);
    for (const [field, property] of Object.entries(schema.properties)) expect(property.description, field).toMatch(/\w/);
    expect(featureReview.paper).toContain('Distilling Knowledge via Knowledge Review');
  });
});

describe('feature.review build', () => {
  it('taps every stage on the named teacher and reports one part per stage', () => {
    const strategy = featureReview.create({ ...threeStages, teacher: 'deep' }, reviewContext());
    expect(strategy.key).toBe('feature.review');
    expect(strategy.taps).toEqual({ student: ['s1', 's2', 's3'], teachers: { deep: ['t1', 't2', 't3'] } });
    expect(strategy.lossParts).toEqual(['stage1', 'stage2', 'stage3']);
  });

  it("names its variables under the term and the stage, with mid = min(512, the deepest stage's channels) by default", () => {
    const strategy = buildStrategy(threeStages);
    const variables = strategy.variables?.() ?? [];
    expect(variables.map((variable) => [variable.name, variable.shape])).toEqual([
      ['feature.review/pairs[0]/conv1/kernel', [1, 1, 2, 5]],
      ['feature.review/pairs[0]/bn1/gamma', [5]],
      ['feature.review/pairs[0]/bn1/beta', [5]],
      ['feature.review/pairs[0]/attention/kernel', [1, 1, 10, 2]],
      ['feature.review/pairs[0]/attention/bias', [2]],
      ['feature.review/pairs[0]/conv2/kernel', [3, 3, 5, 3]],
      ['feature.review/pairs[0]/bn2/gamma', [3]],
      ['feature.review/pairs[0]/bn2/beta', [3]],
      ['feature.review/pairs[1]/conv1/kernel', [1, 1, 3, 5]],
      ['feature.review/pairs[1]/bn1/gamma', [5]],
      ['feature.review/pairs[1]/bn1/beta', [5]],
      ['feature.review/pairs[1]/attention/kernel', [1, 1, 10, 2]],
      ['feature.review/pairs[1]/attention/bias', [2]],
      ['feature.review/pairs[1]/conv2/kernel', [3, 3, 5, 4]],
      ['feature.review/pairs[1]/bn2/gamma', [4]],
      ['feature.review/pairs[1]/bn2/beta', [4]],
      ['feature.review/pairs[2]/conv1/kernel', [1, 1, 5, 5]],
      ['feature.review/pairs[2]/bn1/gamma', [5]],
      ['feature.review/pairs[2]/bn1/beta', [5]],
      ['feature.review/pairs[2]/conv2/kernel', [3, 3, 5, 6]],
      ['feature.review/pairs[2]/bn2/gamma', [6]],
      ['feature.review/pairs[2]/bn2/beta', [6]],
    ]);
  });

  it('caps the default mid channels at 512 and takes midChannels when given', () => {
    const wide: TapShapes = { student: { s: [null, 1, 1, 600] }, teachers: { wide: { t: [null, 1, 1, 4] } }, numClasses: 3 };
    const pair = { pairs: [{ student: 's', teacher: 't' }] };
    expect(buildStrategy(pair, wide).variables?.()[0]?.shape).toEqual([1, 1, 600, 512]);
    expect(buildStrategy({ ...pair, midChannels: 7 }, wide).variables?.()[0]?.shape).toEqual([1, 1, 600, 7]);
  });

  it('refuses a pair of different spatial sizes, naming the pair, both layers and their shapes', () => {
    const mismatched: TapShapes = { ...shapes, teachers: { wide: { ...shapes.teachers.wide, t2: [null, 4, 4, 4] } } };
    expect(buildError(threeStages, mismatched)).toBe(
      "strategies[0].options.pairs[1]: student layer 's2' [B, 2, 2, 3] and teacher 'wide' layer 't2' [B, 4, 4, 4] differ in spatial size; pair stages of equal H×W",
    );
    // A vector is a 1×1 map: it pairs with a 1×1 map, not with a 2×2 one.
    const vectorToMap: TapShapes = { ...shapes, teachers: { wide: { ...shapes.teachers.wide, t3: [null, 2, 2, 6] } } };
    expect(buildError(threeStages, vectorToMap)).toBe(
      "strategies[0].options.pairs[2]: student layer 's3' [B, 5] and teacher 'wide' layer 't3' [B, 2, 2, 6] differ in spatial size; pair stages of equal H×W",
    );
    const vectorTo1x1: TapShapes = { ...shapes, teachers: { wide: { ...shapes.teachers.wide, t3: [null, 1, 1, 6] } } };
    expect(buildStrategy(threeStages, vectorTo1x1).variables?.()).toHaveLength(22);
  });

  it('refuses outputs that are not maps or vectors, and channels the model leaves open', () => {
    expect(buildError(threeStages, { ...shapes, student: { ...shapes.student, s1: [null, 4, 2] } })).toBe(
      "strategies[0].options.pairs[0]: student layer 's1' [B, 4, 2] is neither an NHWC map [B, H, W, C] nor a vector [B, C]",
    );
    expect(buildError(threeStages, { ...shapes, teachers: { wide: { ...shapes.teachers.wide, t1: [null, 4, 4, null] } } })).toBe(
      "strategies[0].options.pairs[0]: teacher 'wide' layer 't1' [B, 4, 4, ?] has no fixed channel count to size the fusion module",
    );
  });

  it('checks on each batch the sizes a model leaves open, naming the pair', () => {
    const open: TapShapes = {
      student: { s: [null, null, null, 2] },
      teachers: { wide: { t: [null, null, null, 3] } },
      numClasses: 3,
    };
    const strategy = buildStrategy({ pairs: [{ student: 's', teacher: 't' }] }, open);
    const studentMap = tf.zeros([2, 4, 4, 2]);
    const teacherMap = tf.zeros([2, 2, 2, 3]);
    const context = distillationContext({
      student: { logits, features: { s: studentMap } },
      teachers: { wide: { logits, features: { t: teacherMap } } },
      labels: tf.tensor1d([0, 1], 'int32'),
    });
    const before = tf.memory().numTensors;
    expect(() => strategy.loss(context)).toThrow(
      "strategies[0].options.pairs[0]: on this batch student layer 's' is 4×4 but teacher layer 't' is 2×2",
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([studentMap, teacherMap, context.labels]);
  });

  it('frees its variables on dispose and on a rebuild, and leaks nothing over build, loss and dispose', async () => {
    const before = tf.memory().numTensors;
    const strategy = featureReview.create(threeStages, reviewContext());
    strategy.build?.(shapes);
    const first = strategy.variables?.() ?? [];
    strategy.build?.(shapes);
    expect(first.every((variable) => variable.isDisposed)).toBe(true);
    for (let i = 0; i < 3; i++) await strategyLoss(strategy, batchAt(i));
    strategy.dispose?.();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('feature.review loss', () => {
  /** Σ_i HCL(review_i, t_i) per stage, from a KnowledgeReview started like the strategy's (same seed and sizes). */
  async function referenceStageLosses(): Promise<number[]> {
    const review = new KnowledgeReview({
      stages: [
        { inChannels: 2, outChannels: 3 },
        { inChannels: 3, outChannels: 4 },
        { inChannels: 5, outChannels: 6 },
      ],
      midChannels: 5,
      variableName: (local) => uniqueVariableName(`twin/${local}`),
      seed: '7/feature.review',
    });
    const losses = tf.tidy(() => {
      const maps = [student.s1, student.s2, tf.reshape(student.s3 as tf.Tensor, [4, 1, 1, 5])] as tf.Tensor4D[];
      const targets = [teacher.t1, teacher.t2, tf.reshape(teacher.t3 as tf.Tensor, [4, 1, 1, 6])] as tf.Tensor4D[];
      return review.apply(maps).map((output, i) => hclLoss(output, targets[i] as tf.Tensor4D));
    });
    const values = await Promise.all(losses.map(async (loss) => (await loss.data())[0] as number));
    tf.dispose(losses);
    review.dispose();
    return values;
  }

  it('is Σ over stages of HCL(review output, teacher stage), each stage reported as a part', async () => {
    const strategy = buildStrategy({ ...threeStages, warmupEpochs: 0 });
    const { total, parts } = await strategyLossParts(strategy, batchAt(0));
    const expected = await referenceStageLosses();
    expect(Object.keys(parts)).toEqual(['stage1', 'stage2', 'stage3']);
    expect(parts.stage1).toBeCloseTo(expected[0] as number, 5);
    expect(parts.stage2).toBeCloseTo(expected[1] as number, 5);
    expect(parts.stage3).toBeCloseTo(expected[2] as number, 5);
    expect(total).toBeCloseTo(
      expected.reduce((a, b) => a + b, 0),
      5,
    );
    expect(total).toBeGreaterThan(0);
  });

  it('warms up linearly: min((epoch + 1) / warmupEpochs, 1) times the sum, parts unscaled; default 20 epochs', async () => {
    const strategy = buildStrategy({ ...threeStages, warmupEpochs: 4 });
    const byDefault = buildStrategy(threeStages);
    const sum = (await referenceStageLosses()).reduce((a, b) => a + b, 0);
    // Epoch 0 → ¼, epoch 2 → ¾, epoch 3 and later → 1.
    for (const [epoch, factor] of [
      [0, 0.25],
      [2, 0.75],
      [3, 1],
      [9, 1],
    ] as const) {
      const { total, parts } = await strategyLossParts(strategy, batchAt(epoch));
      expect(total).toBeCloseTo(factor * sum, 5);
      expect(Object.values(parts).reduce((a, b) => a + b, 0)).toBeCloseTo(sum, 5);
    }
    expect(await strategyLoss(byDefault, batchAt(0))).toBeCloseTo(sum / 20, 6);
    expect(await strategyLoss(byDefault, batchAt(19))).toBeCloseTo(sum, 5);
  });

  it('reads the features of the teacher it names', async () => {
    const strategy = buildStrategy(
      { pairs: [{ student: 's3', teacher: 't3' }], teacher: 'deep', warmupEpochs: 0 },
      {
        student: { s3: [null, 5] },
        teachers: { deep: { t3: [null, 6] } },
        numClasses: 3,
      },
    );
    const context = distillationContext({
      student: { logits, features: student },
      teachers: { wide: { logits, features: {} }, deep: { logits, features: teacher } },
      labels,
    });
    expect(await strategyLoss(strategy, context)).toBeGreaterThan(0);
  });

  it('sends gradients to every variable and the student stages, matching central finite differences', async () => {
    const strategy = buildStrategy({ ...threeStages, warmupEpochs: 0 });
    const variables = strategy.variables?.() ?? [];
    const stageInputs = Object.values(student);
    const { gradients, inputSizes } = await expectNoLeaks(async () => {
      const results = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => lossTotal(strategy.loss(batchAt(0))), [...variables]);
        value.dispose();
        const inputGrads = tf.grads((...inputs: tf.Tensor[]) => {
          const features = Object.fromEntries(Object.keys(student).map((name, i) => [name, inputs[i] as tf.Tensor]));
          return lossTotal(
            strategy.loss(
              distillationContext({ student: { logits, features }, teachers: { wide: { logits, features: teacher } }, labels }),
            ),
          );
        })(stageInputs);
        return {
          grads: variables.map((variable) => grads[variable.name] as tf.Tensor),
          inputSizes: inputGrads.map((grad) => tf.sum(tf.abs(grad))),
        };
      });
      const values = await Promise.all(results.grads.map(async (grad) => Array.from(await grad.data())));
      const sizes = await Promise.all(results.inputSizes.map(async (size) => (await size.data())[0] as number));
      tf.dispose([...results.grads, ...results.inputSizes]);
      return { gradients: values, inputSizes: sizes };
    });
    expect(gradients).toHaveLength(22);
    for (const [index, gradient] of gradients.entries()) {
      expect(Math.max(...gradient.map(Math.abs)), variables[index]?.name).toBeGreaterThan(1e-6);
    }
    for (const size of inputSizes) expect(size).toBeGreaterThan(1e-6);

    // Central differences, h = 1e-2, on a few entries: stage 1's conv1 and attention kernels, stage 2's conv2 kernel
    // and bn2 γ, the deepest stage's conv1 kernel and bn1 β (which reaches the loss only through the shallower stages).
    const h = 1e-2;
    for (const [index, entry] of [
      [0, 1],
      [3, 4],
      [13, 7],
      [14, 2],
      [16, 3],
      [18, 1],
    ] as const) {
      const variable = variables[index] as tf.Variable;
      const original = tf.clone(variable);
      const shifted = async (delta: number) => {
        const values = original.dataSync().slice();
        values[entry] = (values[entry] as number) + delta;
        variable.assign(tf.tensor(values, variable.shape));
        return strategyLoss(strategy, batchAt(0));
      };
      const numeric = ((await shifted(h)) - (await shifted(-h))) / (2 * h);
      variable.assign(original);
      original.dispose();
      const analytic = gradients[index]?.[entry] as number;
      expect(Math.abs(analytic - numeric), `${variable.name}[${entry}]: ${analytic} vs ${numeric}`).toBeLessThan(
        3e-4 + 1e-3 * Math.abs(numeric),
      );
    }
  });
});

describe('feature.review in an experiment', () => {
  it('distils two conv stages and the pooled feature of a CNN: the review loss falls, the teacher stays frozen, nothing leaks', async () => {
    const teacherModel = fixtureCnn({ inputShape: [8, 8, 1], channels: [4, 8], classes: 4, prefix: 'teacher', seed: 1 });
    const studentModel = fixtureCnn({ inputShape: [8, 8, 1], channels: [2, 3], classes: 4, prefix: 'student', seed: 21 });
    const data = new TensorDataset(
      tf.randomNormal([32, 8, 8, 1], 0, 1, 'float32', 8),
      tf.tensor1d(
        Array.from({ length: 32 }, (_, i) => i % 4),
        'int32',
      ),
    );
    const teacherBefore = weightsOf(teacherModel);
    // conv1 8×8 (2 → 4 channels), conv2 4×4 (3 → 8), the pooled vectors as 1×1 maps (3 → 8), as the reference's levels.
    const distiller = createDistiller({
      teachers: [{ name: 'cnn', model: teacherModel }],
      student: { model: studentModel },
      strategies: [
        { key: 'task.ce', weight: 1 },
        {
          key: 'feature.review',
          weight: 1,
          options: {
            pairs: [
              { student: 'student_conv1', teacher: 'teacher_conv1' },
              { student: 'student_conv2', teacher: 'teacher_conv2' },
              { student: 'student_gap', teacher: 'teacher_gap' },
            ],
            warmupEpochs: 2,
          },
        },
      ],
      training: { epochs: 4, batchSize: 8, seed: 2, optimizer: { name: 'adam', learningRate: 0.05 } },
      plugins: [featurePlugin],
      backend: 'cpu',
      logger: silentLogger,
    });
    // mid = min(512, 3): conv1 kernels [1, 1, 2, 3], [1, 1, 3, 3], [1, 1, 3, 3].
    const variables = distiller.strategyVariables();
    expect(variables).toHaveLength(22);
    expect(variables[0]?.shape).toEqual([1, 1, 2, 3]);
    const tensorsAtEpochEnd: number[] = [];
    distiller.on('epochEnd', () => {
      tensorsAtEpochEnd.push(tf.memory().numTensors);
    });
    const history = await distiller.fit(data);

    const stageSums = history.map((epoch) => Object.values(epoch.lossParts?.['feature.review'] ?? {}).reduce((a, b) => a + b, 0));
    const totals = history.map((epoch) => epoch.losses['feature.review'] as number);
    expect(stageSums.every((value) => Number.isFinite(value) && value > 0)).toBe(true);
    // Epoch 0 runs at half weight (warm-up 2), later epochs at full weight.
    expect(totals[0]).toBeCloseTo((stageSums[0] as number) / 2, 4);
    expect(totals[3]).toBeCloseTo(stageSums[3] as number, 4);
    expect(stageSums[3]).toBeLessThan((stageSums[0] as number) * 0.5);
    expect(weightsOf(teacherModel)).toEqual(teacherBefore);
    expect(new Set(tensorsAtEpochEnd).size).toBe(1);

    distiller.dispose();
    expect(variables.every((variable) => variable.isDisposed)).toBe(true);
    data.dispose();
    teacherModel.dispose();
    studentModel.dispose();
  }, 30_000);
});
