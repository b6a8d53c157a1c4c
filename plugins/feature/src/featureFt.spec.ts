import '@tensorflow/tfjs-backend-cpu';
import {
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
  type StrategyCreationContext,
  type TapShapes,
} from '@distillery/core';
import { uniqueVariableName } from '@distillery/core/internal';
import { creationContext, distillationContext, expectNoLeaks, strategyLoss } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { factorTransferLoss } from './factorTransferLoss.js';
import { featureFt } from './featureFt.js';
import { featureFtParaphraser } from './featureFtParaphraser.js';
import { Paraphraser } from './Paraphraser.js';
import { Translator } from './Translator.js';

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

const built: { dispose(): void }[] = [];

afterEach(() => {
  for (const owner of built.splice(0)) owner.dispose();
});

/** The spec's experiment: teachers 'wide' and 'deep', seed 7, the term named after the key. */
function ftContext(overrides: Parameters<typeof creationContext>[0] = {}): StrategyCreationContext {
  return creationContext({ teacherNames: ['wide', 'deep'], seed: 7, term: 'feature.ft', ...overrides });
}

const layers = { teacherLayer: 't_map', student: 's_map' };

function shapesOf(student: (number | null)[], teacher: (number | null)[], teacherName = 'wide'): TapShapes {
  return { student: { s_map: student }, teachers: { [teacherName]: { t_map: teacher } }, numClasses: 3 };
}

/** Creates feature.ft and builds it; it is disposed after the test. */
function buildStrategy(options: Record<string, unknown>, shapes: TapShapes): DistillationStrategy {
  const strategy = featureFt.create({ ...layers, ...options }, ftContext());
  built.push({ dispose: () => strategy.dispose?.() });
  strategy.build?.(shapes);
  return strategy;
}

function batchOf(studentFeature: tf.Tensor, teacherFeature: tf.Tensor, teacher = 'wide'): DistillationContext {
  return distillationContext({
    student: { logits, features: { s_map: studentFeature } },
    teachers: { [teacher]: { logits, features: { t_map: teacherFeature } } },
    labels,
  });
}

function createError(options: unknown, context = ftContext()): string {
  try {
    featureFt.create(options, context);
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    return (error as Error).message;
  }
  throw new Error('expected create() to throw');
}

function buildError(options: Record<string, unknown>, shapes: TapShapes): string {
  const before = tf.memory().numTensors;
  const strategy = featureFt.create({ ...layers, ...options }, ftContext());
  try {
    strategy.build?.(shapes);
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    expect([...(strategy.variables?.() ?? []), ...(strategy.state?.() ?? [])]).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    return (error as Error).message;
  }
  strategy.dispose?.();
  throw new Error('expected build() to throw');
}

/** A variable's name without its term: what the stage mechanism matches (`paraphraser/encoder/conv1/kernel`). */
const localName = (variable: tf.Variable, term: string) => variable.name.slice(term.length + 1);

/** A [3, 3, 1, 1] kernel that is `value` at its centre: a per-pixel scale. */
const centre = (value: number) => tf.tensor4d([0, 0, 0, 0, value, 0, 0, 0, 0], [3, 3, 1, 1]);

describe('feature.ft options', () => {
  it('needs both layers, takes a rate > 0, p of 1 or 2 and batchNorm, and nothing else', () => {
    expect(createError({})).toBe('strategies[0].options.teacherLayer: expected a layer name');
    expect(createError({ teacherLayer: 't' })).toBe('strategies[0].options.student: expected a layer name');
    expect(createError({ ...layers, rate: -0.5 })).toBe('strategies[0].options.rate: expected a positive number');
    expect(createError({ ...layers, p: 1.5 })).toBe('strategies[0].options.p: expected 1 or 2');
    expect(createError({ ...layers, batchNorm: 'yes' })).toBe('strategies[0].options.batchNorm: expected true or false');
    expect(createError({ ...layers, pairs: [] })).toBe("strategies[0].options: unknown key 'pairs'");
  });

  it('names an unknown teacher, and needs one in the experiment', () => {
    expect(createError({ ...layers, teacher: 'tiny' })).toBe(
      "strategies[0].options.teacher: unknown teacher 'tiny'; the teachers are: wide, deep",
    );
    expect(createError(layers, ftContext({ teacherNames: [] }))).toBe(
      'strategies[0].options.teacher: feature.ft needs a teacher, but the experiment has none',
    );
  });

  it('describes every option, and names its paper', () => {
    const shape = (featureFt.optionsSchema as z.ZodObject).shape;
    expect(Object.keys(shape).sort()).toEqual([
      'batchNorm',
      'p',
      'paraphraserEpochs',
      'rate',
      'student',
      'teacher',
      'teacherLayer',
    ]);
    for (const field of Object.values(shape)) expect((field as z.ZodType).description).toMatch(/\w/);
    expect(featureFt.paper).toContain('Paraphrasing Complex Network: Network Compression via Factor Transfer');
  });
});

describe('feature.ft', () => {
  it("declares the paraphraser's stage before its own: feature.ft.paraphraser on its teacher layer, at its rate", () => {
    expect(featureFt.create({ ...layers, teacher: 'deep', rate: 0.25 }, ftContext()).pretraining).toEqual({
      teacher: 'deep',
      strategies: [{ key: 'feature.ft.paraphraser', options: { layer: 't_map', rate: 0.25 } }],
      epochs: 30,
    });
    expect(featureFt.create({ ...layers, paraphraserEpochs: 5 }, ftContext()).pretraining?.epochs).toBe(5);
    expect(featureFt.create({ ...layers, paraphraserEpochs: 0 }, ftContext()).pretraining).toBeUndefined();
    expect(createError({ ...layers, paraphraserEpochs: 1.5 })).toBe(
      'strategies[0].options.paraphraserEpochs: expected a whole number ≥ 0',
    );
  });

  it('taps the student layer and the teacher layer, of the first teacher by default or the one named', () => {
    const strategy = featureFt.create(layers, ftContext());
    expect(strategy.key).toBe('feature.ft');
    expect(strategy.taps).toEqual({ student: ['s_map'], teachers: { wide: ['t_map'] } });
    expect(featureFt.create({ ...layers, teacher: 'deep' }, ftContext()).taps?.teachers).toEqual({ deep: ['t_map'] });
    expect(strategy.lossParts).toBeUndefined();
  });

  it('trains a translator (variables) and keeps the encoder fixed (state), each named under the term', () => {
    const before = tf.memory().numTensors;
    const strategy = featureFt.create(layers, ftContext());
    expect([strategy.variables?.(), strategy.state?.()]).toEqual([[], []]);
    strategy.build?.(shapesOf([null, 8, 8, 12], [null, 8, 8, 32]));
    const described = (variables: readonly tf.Variable[] = []) => variables.map((variable) => [variable.name, variable.shape]);
    expect(described(strategy.variables?.())).toEqual([
      ['feature.ft/translator/conv1/kernel', [3, 3, 12, 12]],
      ['feature.ft/translator/conv1/bias', [12]],
      ['feature.ft/translator/conv2/kernel', [3, 3, 12, 16]],
      ['feature.ft/translator/conv2/bias', [16]],
      ['feature.ft/translator/conv3/kernel', [3, 3, 16, 16]],
      ['feature.ft/translator/conv3/bias', [16]],
    ]);
    expect(described(strategy.state?.())).toEqual([
      ['feature.ft/paraphraser/encoder/conv1/kernel', [3, 3, 32, 32]],
      ['feature.ft/paraphraser/encoder/conv1/bias', [32]],
      ['feature.ft/paraphraser/encoder/conv2/kernel', [3, 3, 32, 16]],
      ['feature.ft/paraphraser/encoder/conv2/bias', [16]],
      ['feature.ft/paraphraser/encoder/conv3/kernel', [3, 3, 16, 16]],
      ['feature.ft/paraphraser/encoder/conv3/bias', [16]],
    ]);
    expect(strategy.variables?.().every((variable) => variable.trainable)).toBe(true);
    expect(strategy.state?.().some((variable) => variable.trainable)).toBe(false);
    expect(strategy.update).toBeUndefined();
    const first = [...(strategy.variables?.() ?? []), ...(strategy.state?.() ?? [])];
    strategy.build?.(shapesOf([null, 8, 8, 12], [null, 8, 8, 32]));
    expect(first.every((variable) => variable.isDisposed)).toBe(true);
    strategy.dispose?.();
    expect([strategy.variables?.(), strategy.state?.()]).toEqual([[], []]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("creates exactly feature.ft.paraphraser's encoder variables: the same local names and shapes, at any rate", () => {
    for (const [teacherShape, rate] of [
      [[null, 8, 8, 32], 0.5],
      [[null, 4, 6, 10], 0.3],
      [[null, 4, 4, 6], 2],
    ] as const) {
      const paraphraser = featureFtParaphraser.create(
        { layer: 't_map', rate },
        creationContext({ seed: 7, term: 'feature.ft.paraphraser' }),
      );
      built.push({ dispose: () => paraphraser.dispose?.() });
      paraphraser.build?.({ student: { t_map: [...teacherShape] }, teachers: {}, numClasses: 3 });
      const transfer = buildStrategy({ rate }, shapesOf([null, teacherShape[1], teacherShape[2], 5], [...teacherShape]));
      const encoderOfParaphraser = (paraphraser.variables?.() ?? [])
        .map((variable) => [localName(variable, 'feature.ft.paraphraser'), variable.shape])
        .filter(([name]) => (name as string).startsWith('paraphraser/encoder/'));
      const stateOfTransfer = (transfer.state?.() ?? []).map((variable) => [localName(variable, 'feature.ft'), variable.shape]);
      expect(stateOfTransfer).toEqual(encoderOfParaphraser);
      expect(stateOfTransfer).toHaveLength(6);
      // Nothing else of feature.ft's shares a local name with the paraphraser stage.
      const paraphraserNames = new Set(
        (paraphraser.variables?.() ?? []).map((variable) => localName(variable, 'feature.ft.paraphraser')),
      );
      const trained = (transfer.variables?.() ?? []).map((variable) => localName(variable, 'feature.ft'));
      expect(trained.some((name) => paraphraserNames.has(name))).toBe(false);
    }
  });

  it('compares the unit-normalised factors: mean |F_T/‖F_T‖ − F_S/‖F_S‖|^p, worked by hand on one-channel maps', async () => {
    // One channel at rate 1; identity kernels (centre 1) and zero biases everywhere; the values are ≥ 0, so the
    // leaky ReLUs change nothing: F_T = teacher map [3, 4] → [0.6, 0.8], F_S = student map [1, 0] → [1, 0].
    // Differences [−0.4, 0.8]: p = 1 gives (0.4 + 0.8)/2 = 0.6; p = 2 gives (0.16 + 0.64)/2 = 0.4.
    const teacherFeature = tf.tensor4d([3, 4], [1, 1, 2, 1]);
    const studentFeature = tf.tensor4d([1, 0], [1, 1, 2, 1]);
    for (const [p, expected] of [
      [1, 0.6],
      [2, 0.4],
    ] as const) {
      const strategy = buildStrategy({ rate: 1, p }, shapesOf([null, 1, 2, 1], [null, 1, 2, 1]));
      for (const variable of [...(strategy.variables?.() ?? []), ...(strategy.state?.() ?? [])]) {
        variable.assign(variable.rank === 4 ? centre(1) : tf.zeros(variable.shape));
      }
      expect(await strategyLoss(strategy, batchOf(studentFeature, teacherFeature))).toBeCloseTo(expected, 6);
    }
    tf.dispose([teacherFeature, studentFeature]);
  });

  it("is factorTransferLoss(translator(f_s), encoder(f_t)) once the encoder holds the paraphraser stage's weights", async () => {
    // The hand-over the stage mechanism makes: each of feature.ft's state variables set from the paraphraser
    // stage's variable of the same local name.
    const paraphraser = featureFtParaphraser.create(
      { layer: 't_map' },
      creationContext({ seed: 1, term: 'feature.ft.paraphraser' }),
    );
    built.push({ dispose: () => paraphraser.dispose?.() });
    paraphraser.build?.({ student: { t_map: [null, 4, 4, 8] }, teachers: {}, numClasses: 3 });
    const strategy = buildStrategy({ teacher: 'deep' }, shapesOf([null, 4, 4, 6], [null, 4, 4, 8], 'deep'));
    const kept = new Map(
      (paraphraser.variables?.() ?? []).map((variable) => [localName(variable, 'feature.ft.paraphraser'), variable]),
    );
    for (const variable of strategy.state?.() ?? []) variable.assign(kept.get(localName(variable, 'feature.ft')) as tf.Variable);

    // An independent encoder and translator holding the same values compute the expected loss.
    const encoder = new Paraphraser({
      variableName: (local) => uniqueVariableName(`check/${local}`),
      featureShape: [null, 4, 4, 8],
      seed: 0,
      decoder: false,
    });
    const translator = new Translator({
      variableName: (local) => uniqueVariableName(`check/translator/${local}`),
      studentShape: [null, 4, 4, 6],
      factorChannels: 4,
      seed: 0,
    });
    built.push(encoder, translator);
    encoder.encoderVariables().forEach((variable, i) => {
      variable.assign((paraphraser.variables?.() ?? [])[i] as tf.Variable);
    });
    translator.variables().forEach((variable, i) => {
      variable.assign((strategy.variables?.() ?? [])[i] as tf.Variable);
    });
    const studentFeature = tf.randomNormal([2, 4, 4, 6], 0, 1, 'float32', 21) as tf.Tensor4D;
    const teacherFeature = tf.relu(tf.randomNormal([2, 4, 4, 8], 0, 1, 'float32', 22)) as tf.Tensor4D;
    const value = await strategyLoss(strategy, batchOf(studentFeature, teacherFeature, 'deep'));
    const expected = await expectNoLeaks(() =>
      tf.tidy(() => factorTransferLoss(translator.apply(studentFeature), encoder.encode(teacherFeature)).dataSync()[0] as number),
    );
    expect(value).toBeCloseTo(expected, 6);
    expect(value).toBeGreaterThan(0);
    tf.dispose([studentFeature, teacherFeature]);
  });

  it("sends gradients to every translator variable (batch norm included) and to the student's feature", async () => {
    const strategy = buildStrategy({ batchNorm: true }, shapesOf([null, 3, 3, 4], [null, 3, 3, 6]));
    const studentFeature = tf.variable(tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 3), true, uniqueVariableName('test/s'));
    const teacherFeature = tf.randomNormal([2, 3, 3, 6], 0, 1, 'float32', 4);
    const translatorVariables = strategy.variables?.() ?? [];
    expect(translatorVariables).toHaveLength(12);
    const norms = await expectNoLeaks(async () => {
      const sums = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => strategy.loss(batchOf(studentFeature, teacherFeature)) as tf.Scalar,
          [...translatorVariables, studentFeature],
        );
        value.dispose();
        return [...translatorVariables, studentFeature].map((variable) => tf.sum(tf.abs(grads[variable.name] as tf.Tensor)));
      });
      const values = await Promise.all(sums.map(async (sum) => (await sum.data())[0] as number));
      tf.dispose(sums);
      return values;
    });
    for (const norm of norms) expect(norm).toBeGreaterThan(0);
    tf.dispose([studentFeature, teacherFeature]);
  });

  it('refuses maps of different H×W, vectors and a rate that leaves no factor channel, naming the layers and shapes', () => {
    expect(buildError({}, shapesOf([null, 4, 4, 8], [null, 8, 8, 32]))).toBe(
      "strategies[0].options.student: student layer 's_map' [B, 4, 4, 8] and teacher 'wide' layer 't_map' [B, 8, 8, 32] differ in H×W; factor transfer needs maps of one size",
    );
    expect(buildError({}, shapesOf([null, 8, 8, 4], [null, 10]))).toBe(
      "strategies[0].options.teacherLayer: cannot paraphrase teacher 'wide' layer 't_map' [B, 10]: factor transfer needs an NHWC map [B, H, W, C]",
    );
    expect(buildError({}, shapesOf([null, 6], [null, 4, 4, 8]))).toBe(
      "strategies[0].options.student: cannot translate student layer 's_map' [B, 6]: factor transfer needs an NHWC map [B, H, W, C]",
    );
    expect(buildError({ rate: 0.1 }, shapesOf([null, 4, 4, 8], [null, 4, 4, 4]))).toBe(
      "strategies[0].options.rate: 0.1 leaves round(4 · 0.1) = 0 factor channels for teacher 'wide' layer 't_map' [B, 4, 4, 4]; expected a rate that keeps at least one",
    );
  });

  it('checks H×W on the batch where the models leave them open', () => {
    const strategy = buildStrategy({}, shapesOf([null, null, null, 2], [null, null, null, 4]));
    const studentFeature = tf.ones([1, 4, 4, 2]);
    const teacherFeature = tf.ones([1, 2, 2, 4]);
    expect(() => strategy.loss(batchOf(studentFeature, teacherFeature))).toThrow(
      "strategies[0].options.student: student layer 's_map' [1, 4, 4, 2] and teacher 'wide' layer 't_map' [1, 2, 2, 4] differ in H×W; factor transfer needs maps of one size",
    );
    tf.dispose([studentFeature, teacherFeature]);
  });

  it('says so when loss() comes before build(), and leaks nothing over repeated calls', async () => {
    const studentFeature = tf.ones([2, 2, 2, 3]);
    const teacherFeature = tf.ones([2, 2, 2, 4]);
    const unbuilt = featureFt.create(layers, ftContext());
    expect(() => unbuilt.loss(batchOf(studentFeature, teacherFeature))).toThrow('feature.ft: loss() called before build()');
    const strategy = buildStrategy({}, shapesOf([null, 2, 2, 3], [null, 2, 2, 4]));
    await expectNoLeaks(async () => {
      for (let i = 0; i < 3; i++) {
        expect(Number.isFinite(await strategyLoss(strategy, batchOf(studentFeature, teacherFeature)))).toBe(true);
      }
    });
    tf.dispose([studentFeature, teacherFeature]);
  });
});
