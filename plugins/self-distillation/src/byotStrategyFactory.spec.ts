import '@tensorflow/tfjs-backend-cpu';
import {
  createDistiller,
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
  lossTotal,
  type TapShapes,
} from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import {
  creationContext,
  distillationContext,
  expectNoLeaks,
  fixtureCnn,
  silentLogger,
  strategyLossParts,
} from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ByotHead } from './ByotHead.js';
import { byotStrategyFactory } from './byotStrategyFactory.js';
import { selfDistillationPlugin } from './selfDistillationPlugin.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const built: { dispose?(): void }[] = [];

afterEach(() => {
  for (const owner of built.splice(0)) owner.dispose?.();
});

/** The spec's experiment: no teachers, seed 7, the term named after the key. */
const byotContext = (overrides: Parameters<typeof creationContext>[0] = {}) =>
  creationContext({ teacherNames: [], seed: 7, term: 'self.byot', ...overrides });

/** Creates the strategy and builds it on `shapes`; it is disposed after the test. */
function buildStrategy(options: unknown, shapes: TapShapes): DistillationStrategy {
  const strategy = byotStrategyFactory.create(options, byotContext());
  built.push(strategy);
  strategy.build?.(shapes);
  return strategy;
}

function errorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    return (error as Error).message;
  }
  throw new Error('expected a DistilleryError');
}

const createError = (options: unknown) => errorOf(() => byotStrategyFactory.create(options, byotContext()));

/** Two stages, [B, 8, 8, 3] and [B, 4, 4, 6], and the deepest feature [B, 8], three classes. */
const options = { stages: ['s1', 's2'], deepest: 'pool' };
const shapes: TapShapes = {
  student: { s1: [null, 8, 8, 3], s2: [null, 4, 4, 6], pool: [null, 8] },
  teachers: {},
  numClasses: 3,
};
/** [shape of each head's middle kernel] = [k, k, M, M]: what the strides came out as. */
const middleKernels = (strategy: DistillationStrategy) =>
  (strategy.variables?.() ?? [])
    .filter((variable) => /conv2\/kernel(#\d+)?$/.test(variable.name))
    .map((variable) => variable.shape);

describe('self.byot options', () => {
  it('requires stages, at least one, and the deepest layer', () => {
    expect(createError({ deepest: 'pool' })).toBe('strategies[0].options.stages: expected an array of layer names');
    expect(createError({ stages: [], deepest: 'pool' })).toBe('strategies[0].options.stages: expected at least one layer name');
    expect(createError({ stages: [''], deepest: 'pool' })).toBe('strategies[0].options.stages[0]: expected a layer name');
    expect(createError({ stages: ['s1'] })).toBe('strategies[0].options.deepest: expected a layer name');
  });

  it('checks the weights and rejects unknown keys', () => {
    expect(createError({ ...options, alpha: 1.5 })).toBe('strategies[0].options.alpha: expected a number in [0, 1]');
    expect(createError({ ...options, temperature: 0 })).toBe('strategies[0].options.temperature: expected a positive number');
    expect(createError({ ...options, featureWeight: -1 })).toBe(
      'strategies[0].options.featureWeight: expected a finite number ≥ 0',
    );
    expect(createError({ ...options, beta: 1e-6 })).toBe("strategies[0].options: unknown key 'beta'");
  });

  it('refuses a stage listed twice, or the deepest layer among the stages', () => {
    expect(createError({ stages: ['s1', 's1'], deepest: 'pool' })).toBe(
      "strategies[0].options.stages[1]: 's1' is listed twice; each stage gets one shallow classifier",
    );
    expect(createError({ stages: ['s1', 'pool'], deepest: 'pool' })).toBe(
      "strategies[0].options.stages[1]: 'pool' is also the deepest layer, which teaches the heads; list only shallower stages",
    );
  });

  it('describes every option, and names its paper', () => {
    const schema = byotStrategyFactory.optionsSchema as z.ZodType;
    const { properties } = z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, { description?: string }> };
    expect(Object.keys(properties)).toEqual(['stages', 'deepest', 'alpha', 'temperature', 'featureWeight']);
    expect(Object.values(properties).every((property) => (property.description ?? '').length > 0)).toBe(true);
    expect(byotStrategyFactory.paper).toMatch(/^Zhang, Song, Gao, Chen, Bao, Ma 2019, "Be Your Own Teacher/);
  });
});

describe('self.byot', () => {
  it('needs no teacher; taps the stages and the deepest layer, and reports ce, kd and feature', () => {
    const strategy = byotStrategyFactory.create(options, byotContext());
    expect(strategy.key).toBe('self.byot');
    expect(strategy.taps).toEqual({ student: ['s1', 's2', 'pool'] });
    expect(strategy.lossParts).toEqual(['ce', 'kd', 'feature']);
    expect(strategy.variables?.()).toEqual([]);
  });

  it('builds one head per stage, named heads[i]/… under the term, and frees the old heads on a rebuild', () => {
    const first = buildStrategy(options, shapes);
    const variables = first.variables?.() ?? [];
    expect(variables).toHaveLength(22);
    expect(variables.slice(0, 11).map((variable) => variable.name)).toEqual(
      [
        'conv1/kernel',
        'bn1/gamma',
        'bn1/beta',
        'conv2/kernel',
        'bn2/gamma',
        'bn2/beta',
        'conv3/kernel',
        'bn3/gamma',
        'bn3/beta',
        'fc/kernel',
        'fc/bias',
      ].map((local) => `self.byot/heads[0]/${local}`),
    );
    // Head 1 reads 6 channels; both end in D = 8 features (M = 2 middle channels) and 3 classes.
    expect(variables[11]?.shape).toEqual([1, 1, 6, 2]);
    expect(variables.slice(-2).map((variable) => [variable.name, variable.shape])).toEqual([
      ['self.byot/heads[1]/fc/kernel', [8, 3]],
      ['self.byot/heads[1]/fc/bias', [3]],
    ]);
    expect(buildStrategy(options, shapes).variables?.()[0]?.name).toBe('self.byot/heads[0]/conv1/kernel#2');
    first.build?.(shapes);
    expect(variables.every((variable) => variable.isDisposed)).toBe(true);
    expect(first.variables?.().every((variable) => !variable.isDisposed)).toBe(true);
  });

  it('shrinks each map to the deepest map, or by 2 per stage left when the deepest layer is a vector', () => {
    // Vector deepest, two stages: k = 2², 2¹, as the reference's 8, 4, 2 for three stages of a ResNet.
    expect(middleKernels(buildStrategy(options, shapes))).toEqual([
      [4, 4, 2, 2],
      [2, 2, 2, 2],
    ]);
    // An NHWC deepest map 2×2: k = 8 / 2 and 4 / 2; a 4×4 one: 2 and 1.
    const withMap = (size: number): TapShapes => ({ ...shapes, student: { ...shapes.student, pool: [null, size, size, 8] } });
    expect(middleKernels(buildStrategy(options, withMap(2)))).toEqual([
      [4, 4, 2, 2],
      [2, 2, 2, 2],
    ]);
    expect(middleKernels(buildStrategy(options, withMap(4)))).toEqual([
      [2, 2, 2, 2],
      [1, 1, 2, 2],
    ]);
    // Never more than the map's smaller side: a 2×3 map with k = 4 would leave nothing.
    const small: TapShapes = { ...shapes, student: { ...shapes.student, s1: [null, 2, 3, 3] } };
    expect(middleKernels(buildStrategy(options, small))[0]).toEqual([2, 2, 2, 2]);
  });

  describe('refuses to build, in one line, and leaves no variable behind', () => {
    function buildError(changed: Record<string, readonly (number | null)[] | undefined>): string {
      const strategy = byotStrategyFactory.create(options, byotContext());
      built.push(strategy);
      const before = tf.memory().numTensors;
      const student = Object.fromEntries(
        Object.entries({ ...shapes.student, ...changed }).filter(
          (entry): entry is [string, (number | null)[]] => entry[1] !== undefined,
        ),
      );
      const message = errorOf(() => strategy.build?.({ ...shapes, student }));
      expect(tf.memory().numTensors).toBe(before);
      expect(strategy.variables?.()).toEqual([]);
      return message;
    }

    it('a stage that is not an NHWC map of known size (after the heads before it were made)', () => {
      expect(buildError({ s2: [null, 6] })).toBe(
        "strategies[0].options.stages[1]: layer 's2' outputs [B, 6]; a shallow classifier needs an NHWC map [B, H, W, C] of known size",
      );
      expect(buildError({ s1: [null, null, null, 3] })).toBe(
        "strategies[0].options.stages[0]: layer 's1' outputs [B, ?, ?, 3]; a shallow classifier needs an NHWC map [B, H, W, C] of known size",
      );
    });

    it('a deepest layer that is neither a feature vector nor a map', () => {
      expect(buildError({ pool: [null, 4, 8] })).toBe(
        "strategies[0].options.deepest: layer 'pool' outputs [B, 4, 8]; expected the penultimate feature [B, D] or an NHWC map [B, H, W, D] with a known D",
      );
    });

    it('a layer the kernel gave no shape for', () => {
      expect(buildError({ s1: undefined })).toBe("strategies[0].options.stages[0]: the kernel gave no shape for layer 's1'");
    });
  });

  describe('on a batch', () => {
    const batchSize = 3;
    let tensors: { s1: tf.Tensor4D; s2: tf.Tensor4D; pool: tf.Tensor2D; logits: tf.Tensor2D; labels: tf.Tensor1D };

    beforeAll(() => {
      tensors = {
        s1: tf.randomNormal([batchSize, 8, 8, 3], 0, 1, 'float32', 1),
        s2: tf.randomNormal([batchSize, 4, 4, 6], 0, 1, 'float32', 2),
        pool: tf.relu(tf.randomNormal([batchSize, 8], 0.5, 1, 'float32', 3)),
        logits: tf.randomNormal([batchSize, 3], 0, 2, 'float32', 4),
        labels: tf.tensor1d([2, 0, 1], 'int32'),
      };
    });

    const context = (pool: tf.Tensor = tensors.pool): DistillationContext =>
      distillationContext({
        student: { logits: tensors.logits, features: { s1: tensors.s1, s2: tensors.s2, pool } },
        labels: tensors.labels,
      });

    it("is, with the defaults α = 0.1, T = 3, λ = 1e-6·128·512, the sum over heads worked out from the heads' outputs", async () => {
      const strategy = buildStrategy(options, shapes);
      const { total, parts } = await strategyLossParts(strategy, context());

      // Heads made from the same seeds ('<training seed>/self.byot/<i>') give the strategy's heads' outputs.
      const twins = [
        new ByotHead({
          variableName: byotContext({ term: 'twin' }).variableName,
          channels: 3,
          stride: 4,
          featureWidth: 8,
          classes: 3,
          seed: '7/self.byot/0',
        }),
        new ByotHead({
          variableName: byotContext({ term: 'twin' }).variableName,
          channels: 6,
          stride: 2,
          featureWidth: 8,
          classes: 3,
          seed: '7/self.byot/1',
        }),
      ];
      built.push(...twins);
      const outputs = twins.map((twin, index) =>
        tf.tidy(() => {
          const { feature, logits } = twin.apply(index === 0 ? tensors.s1 : tensors.s2);
          return { feature: feature.arraySync(), logits: logits.arraySync() };
        }),
      );
      const logits = tensors.logits.arraySync();
      const feature = tensors.pool.arraySync();
      const labels = tensors.labels.arraySync();

      // Per head: CE = mean_b −log softmax(z_i)_y; KD = T²·mean_b Σ_c p_c (log p_c − log q_c) with p = softmax(z/3),
      // q = softmax(z_i/3); feature = mean over B·D of (f_i − f)². Total = Σ_i 0.9·CE + 0.1·KD + 0.065536·feature.
      const logSoftmax = (row: number[], t: number) => {
        const scaled = row.map((value) => value / t);
        const max = Math.max(...scaled);
        const log = Math.log(scaled.reduce((sum, value) => sum + Math.exp(value - max), 0)) + max;
        return scaled.map((value) => value - log);
      };
      const expected = { ce: 0, kd: 0, feature: 0 };
      for (const head of outputs) {
        head.logits.forEach((row, b) => {
          expected.ce -= (logSoftmax(row, 1)[labels[b] as number] as number) / batchSize;
          const p = logSoftmax(logits[b] as number[], 3);
          const q = logSoftmax(row, 3);
          expected.kd += (9 * p.reduce((sum, value, c) => sum + Math.exp(value) * (value - (q[c] as number)), 0)) / batchSize;
        });
        const squares = head.feature.flatMap((row, b) => row.map((value, d) => (value - (feature[b]?.[d] as number)) ** 2));
        expected.feature += squares.reduce((sum, value) => sum + value, 0) / squares.length;
      }
      expect(parts.ce).toBeCloseTo(expected.ce, 4);
      expect(parts.kd).toBeCloseTo(expected.kd, 4);
      expect(parts.feature).toBeCloseTo(expected.feature, 4);
      expect(total).toBeCloseTo(0.9 * expected.ce + 0.1 * expected.kd + 1e-6 * 128 * 512 * expected.feature, 4);
      expect(expected.ce * expected.kd * expected.feature).toBeGreaterThan(0);
    });

    it('takes the global average of a deepest map as the deepest feature', async () => {
      // A 2×2 map gives the strides of the vector case (8 / 2 and 4 / 2), so both strategies build the same heads.
      const map = tf.tile(tf.reshape(tensors.pool, [batchSize, 1, 1, 8]), [1, 2, 2, 1]);
      const mapShapes: TapShapes = { ...shapes, student: { ...shapes.student, pool: [null, 2, 2, 8] } };
      const fromMap = await strategyLossParts(buildStrategy(options, mapShapes), context(map));
      const fromVector = await strategyLossParts(buildStrategy(options, shapes), context());
      expect(fromMap.total).toBeCloseTo(fromVector.total, 5);
      map.dispose();
    });

    it("detaches the teacher signals: no gradient reaches the student's logits or deepest feature, the heads and stages get theirs", async () => {
      const strategy = buildStrategy(options, shapes);
      const inputs = {
        logits: tf.variable(tensors.logits, true, 'byot-spec/logits'),
        pool: tf.variable(tensors.pool, true, 'byot-spec/pool'),
        s1: tf.variable(tensors.s1, true, 'byot-spec/s1'),
        s2: tf.variable(tensors.s2, true, 'byot-spec/s2'),
      };
      const batch = distillationContext({
        student: { logits: inputs.logits as tf.Tensor2D, features: { s1: inputs.s1, s2: inputs.s2, pool: inputs.pool } },
        labels: tensors.labels,
      });
      const variables = [...Object.values(inputs), ...(strategy.variables?.() ?? [])];
      const norms = await expectNoLeaks(() => {
        const { value, grads } = tf.variableGrads(() => tf.tidy(() => lossTotal(strategy.loss(batch))), variables);
        const result = tf.tidy(() =>
          Object.fromEntries(
            variables.map((variable) => [variable.name, tf.sum(tf.abs(grads[variable.name] as tf.Tensor)).dataSync()[0]]),
          ),
        );
        tf.dispose([value, ...Object.values(grads)]);
        return result;
      });
      expect(norms['byot-spec/logits']).toBe(0);
      expect(norms['byot-spec/pool']).toBe(0);
      expect(norms['byot-spec/s1']).toBeGreaterThan(0);
      expect(norms['byot-spec/s2']).toBeGreaterThan(0);
      for (const variable of strategy.variables?.() ?? []) expect(norms[variable.name], variable.name).toBeGreaterThan(0);
      tf.dispose(Object.values(inputs));
    });

    it('leaks nothing over build, loss and dispose', async () => {
      await expectNoLeaks(async () => {
        const strategy = byotStrategyFactory.create(options, byotContext());
        strategy.build?.(shapes);
        strategy.build?.(shapes);
        await strategyLossParts(strategy, context());
        strategy.dispose?.();
      });
    });

    it('says so when loss() runs before build()', () => {
      const strategy = byotStrategyFactory.create(options, byotContext());
      expect(() => strategy.loss(context())).toThrow('self.byot: loss() called before build()');
    });
  });

  it('trains shallow heads in an experiment without teachers: the term falls, and the heads stay out of the student', async () => {
    const data = new IndexedDataset(
      gaussianClusters({ examples: 96, features: 64, classes: 4, exampleShape: [4, 4, 4], seed: 3 }),
    );
    // student_conv1 [B, 4, 4, 8] gets the head; student_gap [B, 16] is the deepest feature (behind student_conv2 [B, 2, 2, 16]).
    const student = fixtureCnn({ inputShape: [4, 4, 4], channels: [8, 16], classes: 4, prefix: 'student', seed: 21 });
    built.push(student);
    const distiller = createDistiller({
      student: { model: student },
      strategies: [
        { key: 'task.ce', weight: 0.9 },
        { key: 'self.byot', options: { stages: ['student_conv1'], deepest: 'student_gap' } },
      ],
      training: { epochs: 6, batchSize: 16, seed: 2, optimizer: { name: 'adam', learningRate: 0.01 } },
      plugins: [selfDistillationPlugin],
      backend: 'cpu',
      logger: silentLogger,
    });
    const heads = distiller.strategyVariables();
    expect(heads.map((variable) => variable.name)[0]).toBe('self.byot/heads[0]/conv1/kernel');
    // k = 2 (one stage, vector deepest): the middle kernel is [2, 2, M, M] with M = 16 / 4.
    expect(heads.map((variable) => variable.shape)[3]).toEqual([2, 2, 4, 4]);
    const tensorsAtEpochEnd: number[] = [];
    distiller.on('epochEnd', () => {
      tensorsAtEpochEnd.push(tf.memory().numTensors);
    });
    const history = await distiller.fit(data);

    const byot = history.map((epoch) => epoch.losses['self.byot'] as number);
    const ce = history.map((epoch) => epoch.lossParts?.['self.byot']?.ce as number);
    expect(byot.every(Number.isFinite)).toBe(true);
    expect(byot.at(-1)).toBeLessThan((byot[0] as number) * 0.8);
    // The head learns the labels; its KD and feature parts may rise meanwhile, as the deepest classifier sharpens.
    expect(ce.at(-1)).toBeLessThan((ce[0] as number) * 0.5);
    expect(new Set(tensorsAtEpochEnd).size).toBe(1);
    // The heads are strategy variables: the student model, what an export saves, has none of them.
    const studentNames = student.weights.map((weight) => weight.originalName);
    expect(studentNames.some((name) => name.includes('self.byot'))).toBe(false);
    expect(student.weights).toHaveLength(6);
    distiller.dispose();
    expect(heads.every((variable) => variable.isDisposed)).toBe(true);
  });
});
