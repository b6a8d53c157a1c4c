import '@tensorflow/tfjs-backend-cpu';
import { type DistillationContext, DistilleryError } from '@distillery/core';
import { creationContext, distillationContext, expectNoLeaks, strategyLoss, strategyLossParts } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dkdLoss } from './dkdLoss.js';
import { dkdStrategyFactory } from './dkdStrategyFactory.js';
import { dkdTerms } from './dkdTerms.js';
import { standardizeLogits } from './standardizeLogits.js';

const creation = creationContext({ path: 'strategies[1].options', teacherNames: ['wide', 'deep'] });

let student: tf.Tensor2D;
let wide: tf.Tensor2D;
let deep: tf.Tensor2D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  student = tf.tensor2d([
    [0.5, -1.0, 2.0],
    [1.0, 0.0, -0.5],
  ]);
  wide = tf.tensor2d([
    [2.0, 0.0, 1.0],
    [-1.0, 3.0, 0.0],
  ]);
  deep = tf.tensor2d([
    [0.0, 0.0, 4.0],
    [2.0, 2.0, -2.0],
  ]);
  labels = tf.tensor1d([2, 0], 'int32');
});

afterAll(() => {
  tf.dispose([student, wide, deep, labels]);
});

function contextAt(epoch: number): DistillationContext {
  return distillationContext({ student, teachers: { wide, deep }, labels, step: epoch * 4, epochs: 100, stepsPerEpoch: 4 });
}

/** The strategy's loss at `epoch`, checked to be a scalar that leaves nothing else allocated. */
async function strategyLossAt(options: unknown, epoch: number): Promise<number> {
  return strategyLoss(dkdStrategyFactory.create(options, creation), contextAt(epoch));
}

async function dkdValue(
  teacher: tf.Tensor2D,
  options: { alpha: number; beta: number; temperature: number; standardize?: boolean },
): Promise<number> {
  const loss = dkdLoss(student, teacher, labels, options);
  const [value] = await loss.data();
  loss.dispose();
  return value as number;
}

describe('dkdStrategyFactory', () => {
  it('is registered as response.dkd', () => {
    expect(dkdStrategyFactory.key).toBe('response.dkd');
    expect(dkdStrategyFactory.create({}, creation).key).toBe('response.dkd');
  });

  it('declares the options it parses, with their defaults, and cites Zhao et al. 2022', () => {
    expect(dkdStrategyFactory.optionsSchema?.parse({})).toEqual({
      alpha: 1,
      beta: 8,
      temperature: 4,
      warmupEpochs: 20,
      standardize: false,
    });
    expect(dkdStrategyFactory.paper).toBe('Zhao, Cui, Song, Qiu, Liang 2022, "Decoupled Knowledge Distillation", CVPR');
  });

  it('uses α = 1, β = 8, T = 4, the first teacher and a 20-epoch warm-up by default', async () => {
    const full = await dkdValue(wide, { alpha: 1, beta: 8, temperature: 4 });
    // Zero-based epoch 0 is mdistiller's epoch 1: factor min(1/20, 1).
    expect(await strategyLossAt({}, 0)).toBeCloseTo(full / 20, 6);
    // Epoch 9 → 10/20.
    expect(await strategyLossAt({}, 9)).toBeCloseTo(full / 2, 6);
    // Epoch 19 → 20/20: the warm-up is over.
    expect(await strategyLossAt({}, 19)).toBeCloseTo(full, 6);
    expect(await strategyLossAt({}, 50)).toBeCloseTo(full, 6);
  });

  it('passes its teacher, alpha, beta and temperature to dkdLoss', async () => {
    const options = { teacher: 'deep', alpha: 2, beta: 0.5, temperature: 3, warmupEpochs: 4 };
    const full = await dkdValue(deep, { alpha: 2, beta: 0.5, temperature: 3 });
    // Epoch 1 → min(2/4, 1) = 1/2.
    expect(await strategyLossAt(options, 1)).toBeCloseTo(full / 2, 6);
    expect(await strategyLossAt(options, 3)).toBeCloseTo(full, 6);
  });

  it('reports TCKD and NCKD as its parts, unweighted, while the total weighs them and warms up', async () => {
    const options = { teacher: 'deep', alpha: 2, beta: 0.5, temperature: 3, warmupEpochs: 4 };
    const terms = dkdTerms(student, deep, labels, { temperature: 3 });
    const [tckd, nckd] = [(await terms.tckd.data())[0] as number, (await terms.nckd.data())[0] as number];
    tf.dispose([terms.tckd, terms.nckd]);
    const reported = await strategyLossParts(dkdStrategyFactory.create(options, creation), contextAt(1));
    expect(dkdStrategyFactory.create(options, creation).lossParts).toEqual(['tckd', 'nckd']);
    expect(reported.parts.tckd).toBeCloseTo(tckd, 6);
    expect(reported.parts.nckd).toBeCloseTo(nckd, 6);
    // Epoch 1 of a 4-epoch warm-up: (2 · TCKD + 0.5 · NCKD) / 2.
    expect(reported.total).toBeCloseTo((2 * tckd + 0.5 * nckd) / 2, 6);
    expect(tckd).toBeGreaterThan(0);
    expect(nckd).toBeGreaterThan(0);
  });

  it('standardizes both logits first with standardize: true (DKD + LS)', async () => {
    const expected = await expectNoLeaks(async () => {
      const loss = tf.tidy(() =>
        dkdLoss(standardizeLogits(student), standardizeLogits(wide), labels, { alpha: 1, beta: 8, temperature: 2 }),
      );
      const [value] = await loss.data();
      loss.dispose();
      return value as number;
    });
    const options = { temperature: 2, warmupEpochs: 0, standardize: true };
    expect(await strategyLossAt(options, 0)).toBeCloseTo(expected, 5);
    expect(await dkdValue(wide, { alpha: 1, beta: 8, temperature: 2, standardize: true })).toBeCloseTo(expected, 5);
    expect(await strategyLossAt({ ...options, standardize: false }, 0)).not.toBeCloseTo(expected, 2);
    expect(() => dkdStrategyFactory.create({ standardize: 'yes' }, creation)).toThrow('strategies[1].options.standardize:');
  });

  it('turns the warm-up off with warmupEpochs = 0', async () => {
    const full = await dkdValue(wide, { alpha: 1, beta: 8, temperature: 4 });
    expect(await strategyLossAt({ warmupEpochs: 0 }, 0)).toBeCloseTo(full, 6);
  });

  it('rejects invalid options, naming the option', () => {
    const create = (options: unknown) => () => dkdStrategyFactory.create(options, creation);
    expect(create({ temperature: -4 })).toThrow(DistilleryError);
    expect(create({ temperature: -4 })).toThrow('strategies[1].options.temperature: expected a positive number');
    expect(create({ beta: -1 })).toThrow('strategies[1].options.beta:');
    expect(create({ alpha: 'one' })).toThrow('strategies[1].options.alpha:');
    expect(create({ warmupEpochs: 2.5 })).toThrow('strategies[1].options.warmupEpochs:');
    expect(create({ gamma: 1 })).toThrow("strategies[1].options: unknown key 'gamma'");
  });

  it('rejects a teacher the experiment does not have', () => {
    expect(() => dkdStrategyFactory.create({ teacher: 'tall' }, creation)).toThrow(
      "strategies[1].options.teacher: unknown teacher 'tall'; the teachers are: wide, deep",
    );
  });

  it('rejects an experiment without teachers', () => {
    expect(() => dkdStrategyFactory.create({}, { ...creation, teacherNames: [] })).toThrow(
      'strategies[1].options.teacher: response.dkd needs a teacher, but the experiment has none',
    );
  });
});
