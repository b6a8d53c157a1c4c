import '@tensorflow/tfjs-backend-cpu';
import {
  type DistillationContext,
  type DistillationStrategy,
  DistilleryError,
  type StrategyCreationContext,
  type StrategyLoss,
  type TapShapes,
} from '@distillery/core';
import { uniqueVariableName } from '@distillery/core/internal';
import { creationContext, distillationContext, expectNoLeaks, strategyLossParts } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { featureFtParaphraser } from './featureFtParaphraser.js';
import { paraphraserReconstructionLoss } from './paraphraserReconstructionLoss.js';

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

const term = 'feature.ft.paraphraser';

function paraphraserContext(overrides: Parameters<typeof creationContext>[0] = {}): StrategyCreationContext {
  return creationContext({ seed: 3, term, ...overrides });
}

const shapesOf = (shape: (number | null)[]): TapShapes => ({ student: { feature: shape }, teachers: {}, numClasses: 3 });

/** Creates the strategy and builds it on a tapped `feature` of `shape`; it is disposed after the test. */
function buildStrategy(options: Record<string, unknown>, shape: (number | null)[]): DistillationStrategy {
  const strategy = featureFtParaphraser.create({ layer: 'feature', ...options }, paraphraserContext());
  built.push(strategy);
  strategy.build?.(shapesOf(shape));
  return strategy;
}

const batchOf = (feature: tf.Tensor): DistillationContext =>
  distillationContext({ student: { logits, features: { feature } }, teachers: {}, labels });

function createError(options: unknown): string {
  try {
    featureFtParaphraser.create(options, paraphraserContext());
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    return (error as Error).message;
  }
  throw new Error('expected create() to throw');
}

function buildError(options: Record<string, unknown>, shape: (number | null)[]): string {
  const before = tf.memory().numTensors;
  const strategy = featureFtParaphraser.create({ layer: 'feature', ...options }, paraphraserContext());
  try {
    strategy.build?.(shapesOf(shape));
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    expect(strategy.variables?.()).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    return (error as Error).message;
  }
  strategy.dispose?.();
  throw new Error('expected build() to throw');
}

describe('feature.ft.paraphraser options', () => {
  it('needs the layer to paraphrase, takes a rate > 0 and p of 1 or 2, and nothing else', () => {
    expect(createError({})).toBe('strategies[0].options.layer: expected a layer name');
    expect(createError({ layer: '' })).toBe('strategies[0].options.layer: expected a layer name');
    expect(createError({ layer: 'x', rate: 0 })).toBe('strategies[0].options.rate: expected a positive number');
    expect(createError({ layer: 'x', rate: '0.5' })).toBe('strategies[0].options.rate: expected a positive number');
    expect(createError({ layer: 'x', p: 3 })).toBe('strategies[0].options.p: expected 1 or 2');
    expect(createError({ layer: 'x', teacher: 'big' })).toBe("strategies[0].options: unknown key 'teacher'");
  });

  it('describes every option, and names its paper', () => {
    const shape = (featureFtParaphraser.optionsSchema as z.ZodObject).shape;
    expect(Object.keys(shape).sort()).toEqual(['layer', 'p', 'rate']);
    for (const field of Object.values(shape)) expect((field as z.ZodType).description).toMatch(/\w/);
    expect(featureFtParaphraser.paper).toContain('Paraphrasing Complex Network: Network Compression via Factor Transfer');
  });
});

describe('feature.ft.paraphraser', () => {
  it('taps its layer on the (fixed) student and reports the part reconstruction', () => {
    const strategy = featureFtParaphraser.create({ layer: 'teacher_stage3' }, paraphraserContext());
    expect(strategy.key).toBe('feature.ft.paraphraser');
    expect(strategy.taps).toEqual({ student: ['teacher_stage3'] });
    expect(strategy.lossParts).toEqual(['reconstruction']);
  });

  it("names its variables 'paraphraser/encoder/…' and 'paraphraser/decoder/…' under the term, and frees them on dispose", () => {
    const before = tf.memory().numTensors;
    const strategy = featureFtParaphraser.create({ layer: 'feature' }, paraphraserContext());
    expect(strategy.variables?.()).toEqual([]);
    strategy.build?.(shapesOf([null, 8, 8, 32]));
    const variables = strategy.variables?.() ?? [];
    expect(variables.map((variable) => [variable.name, variable.shape])).toEqual([
      [`${term}/paraphraser/encoder/conv1/kernel`, [3, 3, 32, 32]],
      [`${term}/paraphraser/encoder/conv1/bias`, [32]],
      [`${term}/paraphraser/encoder/conv2/kernel`, [3, 3, 32, 16]],
      [`${term}/paraphraser/encoder/conv2/bias`, [16]],
      [`${term}/paraphraser/encoder/conv3/kernel`, [3, 3, 16, 16]],
      [`${term}/paraphraser/encoder/conv3/bias`, [16]],
      [`${term}/paraphraser/decoder/deconv1/kernel`, [3, 3, 16, 16]],
      [`${term}/paraphraser/decoder/deconv1/bias`, [16]],
      [`${term}/paraphraser/decoder/deconv2/kernel`, [3, 3, 32, 16]],
      [`${term}/paraphraser/decoder/deconv2/bias`, [32]],
      [`${term}/paraphraser/decoder/deconv3/kernel`, [3, 3, 32, 32]],
      [`${term}/paraphraser/decoder/deconv3/bias`, [32]],
    ]);
    expect(variables.every((variable) => variable.trainable)).toBe(true);
    expect(strategy.state).toBeUndefined();
    // A second build replaces the first one's variables.
    strategy.build?.(shapesOf([null, 8, 8, 32]));
    expect(variables.every((variable) => variable.isDisposed)).toBe(true);
    strategy.dispose?.();
    expect(strategy.variables?.()).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('seeds the paraphraser from the training seed', async () => {
    const strategy = buildStrategy({}, [null, 2, 2, 4]);
    const kernel = strategy.variables?.()[0] as tf.Variable;
    // conv1 4 → 4: fan_in 36, bound 1/6, seeded '<seed>/paraphraser/encoder/conv1/kernel' with seed 3.
    const expected = await expectNoLeaks(() =>
      tf.tidy(() =>
        Array.from(tf.randomUniform([3, 3, 4, 4], -1 / 6, 1 / 6, 'float32', '3/paraphraser/encoder/conv1/kernel').dataSync()),
      ),
    );
    expect(Array.from(kernel.dataSync())).toEqual(expected);
  });

  it('is the reconstruction loss of decoder(encoder(x)) against x, total and part alike, for p = 2 and p = 1', async () => {
    const feature = tf.randomNormal([2, 4, 4, 6], 0, 1, 'float32', 4);
    for (const p of [2, 1] as const) {
      const strategy = buildStrategy({ rate: 0.5, p }, [null, 4, 4, 6]);
      const { total, parts } = await strategyLossParts(strategy, batchOf(feature));
      expect(parts.reconstruction).toBe(total);
      // The same computation written out from the variables: three convolutions, three transposed ones.
      const direct = await expectNoLeaks(() =>
        tf.tidy(() => {
          const variables = strategy.variables?.() ?? [];
          let x = feature as tf.Tensor4D;
          for (let layer = 0; layer < 6; layer++) {
            const kernel = variables[2 * layer] as tf.Tensor4D;
            const out = kernel.shape[layer < 3 ? 3 : 2];
            const linear = layer < 3 ? tf.conv2d(x, kernel, 1, 'same') : tf.conv2dTranspose(x, kernel, [2, 4, 4, out], 1, 'same');
            x = tf.leakyRelu(tf.add(linear, variables[2 * layer + 1] as tf.Tensor), 0.1) as tf.Tensor4D;
          }
          return paraphraserReconstructionLoss(x, feature, { p }).dataSync()[0] as number;
        }),
      );
      expect(total).toBeCloseTo(direct, 6);
    }
    feature.dispose();
  });

  it('trains the paraphraser only: no gradient reaches the paraphrased feature', async () => {
    const strategy = buildStrategy({}, [null, 3, 3, 4]);
    const feature = tf.variable(tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 5), true, uniqueVariableName('test/feature'));
    const trainable = [...(strategy.variables?.() ?? []), feature];
    const norms = await expectNoLeaks(async () => {
      const sums = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => (strategy.loss(batchOf(feature)) as StrategyLoss).total, trainable);
        value.dispose();
        return trainable.map((variable) => tf.sum(tf.abs(grads[variable.name] as tf.Tensor)));
      });
      const values = await Promise.all(sums.map(async (sum) => (await sum.data())[0] as number));
      tf.dispose(sums);
      return values;
    });
    expect(norms).toHaveLength(13);
    for (const norm of norms.slice(0, 12)) expect(norm).toBeGreaterThan(0);
    expect(norms[12]).toBe(0);
    feature.dispose();
  });

  it('refuses a layer that is no NHWC map, or a rate that leaves no factor channel, naming the option', () => {
    expect(buildError({}, [null, 10])).toBe(
      "strategies[0].options.layer: cannot paraphrase layer 'feature' [B, 10]: factor transfer needs an NHWC map [B, H, W, C]",
    );
    expect(buildError({ rate: 0.2 }, [null, 4, 4, 2])).toBe(
      "strategies[0].options.rate: 0.2 leaves round(2 · 0.2) = 0 factor channels for layer 'feature' [B, 4, 4, 2]; expected a rate that keeps at least one",
    );
  });

  it('says so when loss() comes before build(), and leaks nothing over repeated calls', async () => {
    const feature = tf.ones([1, 2, 2, 2]);
    const unbuilt = featureFtParaphraser.create({ layer: 'feature' }, paraphraserContext());
    expect(() => unbuilt.loss(batchOf(feature))).toThrow('feature.ft.paraphraser: loss() called before build()');
    const strategy = buildStrategy({}, [null, 2, 2, 2]);
    await expectNoLeaks(async () => {
      for (let i = 0; i < 3; i++) expect(Number.isFinite((await strategyLossParts(strategy, batchOf(feature))).total)).toBe(true);
    });
    feature.dispose();
  });
});
