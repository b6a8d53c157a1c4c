import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { creationContext, distillationContext, strategyLoss, strategyLossParts } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distLoss } from './distLoss.js';
import { distStrategyFactory } from './distStrategyFactory.js';
import { distTerms } from './distTerms.js';

const creation = creationContext({ path: 'strategies[2].options', teacherNames: ['wide', 'deep'] });

let student: tf.Tensor2D;
let wide: tf.Tensor2D;
let deep: tf.Tensor2D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  student = tf.tensor2d([
    [0.5, -1.0, 2.0],
    [1.0, 0.0, -0.5],
    [0.2, 0.7, -0.3],
  ]);
  wide = tf.tensor2d([
    [2.0, 0.0, 1.0],
    [-1.0, 3.0, 0.0],
    [0.5, 0.5, 1.5],
  ]);
  deep = tf.tensor2d([
    [0.0, 0.0, 4.0],
    [2.0, 2.0, -2.0],
    [1.0, -1.0, 0.0],
  ]);
  labels = tf.tensor1d([2, 0, 1], 'int32');
});

afterAll(() => {
  tf.dispose([student, wide, deep, labels]);
});

const context = () => distillationContext({ student, teachers: { wide, deep }, labels, step: 0, epochs: 1, stepsPerEpoch: 1 });

async function distValue(teacher: tf.Tensor2D, options: { beta: number; gamma: number; temperature: number }): Promise<number> {
  const loss = distLoss(student, teacher, options);
  const [value] = await loss.data();
  loss.dispose();
  return value as number;
}

describe('distStrategyFactory', () => {
  it('is registered as response.dist', () => {
    expect(distStrategyFactory.key).toBe('response.dist');
    expect(distStrategyFactory.create({}, creation).key).toBe('response.dist');
  });

  it('declares the options it parses, with their defaults, and cites Huang et al. 2022', () => {
    expect(distStrategyFactory.optionsSchema?.parse({})).toEqual({ beta: 1, gamma: 1, temperature: 1 });
    expect(distStrategyFactory.paper).toBe(
      'Huang, You, Wang, Qian, Xu 2022, "Knowledge Distillation from A Stronger Teacher", NeurIPS',
    );
  });

  it('uses β = γ = T = 1 and the first teacher by default', async () => {
    const expected = await distValue(wide, { beta: 1, gamma: 1, temperature: 1 });
    expect(await strategyLoss(distStrategyFactory.create({}, creation), context())).toBeCloseTo(expected, 6);
  });

  it('reports inter and intra as its parts, unweighted, while the total weighs them by β and γ', async () => {
    const options = { teacher: 'deep', beta: 2, gamma: 0.5, temperature: 4 };
    const terms = distTerms(student, deep, { temperature: 4 });
    const [inter, intra] = [(await terms.inter.data())[0] as number, (await terms.intra.data())[0] as number];
    tf.dispose([terms.inter, terms.intra]);
    const strategy = distStrategyFactory.create(options, creation);
    expect(strategy.lossParts).toEqual(['inter', 'intra']);
    const reported = await strategyLossParts(strategy, context());
    expect(reported.parts.inter).toBeCloseTo(inter, 6);
    expect(reported.parts.intra).toBeCloseTo(intra, 6);
    // A float32 total near 22: compare to 4 decimals.
    expect(reported.total).toBeCloseTo(2 * inter + 0.5 * intra, 4);
    expect(reported.total).toBeCloseTo(await distValue(deep, { beta: 2, gamma: 0.5, temperature: 4 }), 6);
    expect(inter).toBeGreaterThan(0);
    expect(intra).toBeGreaterThan(0);
  });

  it('rejects invalid options with one line naming the option', () => {
    const create = (options: unknown) => () => distStrategyFactory.create(options, creation);
    expect(create({ beta: 0 })).toThrow(DistilleryError);
    expect(create({ beta: 0 })).toThrow('strategies[2].options.beta: expected a positive number');
    expect(create({ gamma: -1 })).toThrow('strategies[2].options.gamma: expected a positive number');
    expect(create({ temperature: 'hot' })).toThrow('strategies[2].options.temperature: expected a positive number');
    expect(create({ alpha: 1 })).toThrow("strategies[2].options: unknown key 'alpha'");
    try {
      create({ gamma: -1 })();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('rejects a teacher the experiment does not have, and an experiment without teachers', () => {
    expect(() => distStrategyFactory.create({ teacher: 'tall' }, creation)).toThrow(
      "strategies[2].options.teacher: unknown teacher 'tall'; the teachers are: wide, deep",
    );
    expect(() => distStrategyFactory.create({}, { ...creation, teacherNames: [] })).toThrow(
      'strategies[2].options.teacher: response.dist needs a teacher, but the experiment has none',
    );
  });
});
