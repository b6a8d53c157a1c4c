import '@tensorflow/tfjs-backend-cpu';
import { type DistillationContext, DistilleryError } from '@distillery/core';
import { creationContext, distillationContext, strategyLoss } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kdLoss } from './kdLoss.js';
import { kdStrategyFactory } from './kdStrategyFactory.js';
import { standardizeLogits } from './standardizeLogits.js';

const creation = creationContext({ path: 'strategies[0].options', teacherNames: ['wide', 'deep'] });

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

function contextAt(progress: { step: number; epochs: number; stepsPerEpoch: number }): DistillationContext {
  return distillationContext({ student, teachers: { wide, deep }, labels, ...progress });
}

const start = () => contextAt({ step: 0, epochs: 10, stepsPerEpoch: 4 });

/** The strategy's loss on `context`, checked to be a scalar that leaves nothing else allocated. */
async function strategyLossWith(options: unknown, context: DistillationContext): Promise<number> {
  return strategyLoss(kdStrategyFactory.create(options, creation), context);
}

async function kdValue(teacher: tf.Tensor2D, temperature: number): Promise<number> {
  const loss = kdLoss(student, teacher, { temperature });
  const [value] = await loss.data();
  loss.dispose();
  return value as number;
}

describe('kdStrategyFactory', () => {
  it('is registered as response.kd', () => {
    expect(kdStrategyFactory.key).toBe('response.kd');
    expect(kdStrategyFactory.create({}, creation).key).toBe('response.kd');
  });

  it('declares the options it parses, with their defaults, and cites Hinton et al. 2015', () => {
    expect(kdStrategyFactory.optionsSchema?.parse({})).toEqual({ temperature: 4, standardize: false });
    expect(kdStrategyFactory.optionsSchema?.parse({ temperature: { start: 8, end: 2 } })).toEqual({
      temperature: { start: 8, end: 2, shape: 'linear' },
      standardize: false,
    });
    expect(kdStrategyFactory.paper).toBe(
      'Hinton, Vinyals, Dean 2015, "Distilling the Knowledge in a Neural Network", NIPS Deep Learning Workshop',
    );
  });

  it('distils from the first teacher at T = 4 by default', async () => {
    expect(await strategyLossWith(undefined, start())).toBeCloseTo(await kdValue(wide, 4), 6);
  });

  it('distils from the teacher it names, at the temperature it gives', async () => {
    expect(await strategyLossWith({ teacher: 'deep', temperature: 2.5 }, start())).toBeCloseTo(await kdValue(deep, 2.5), 6);
  });

  it('follows a temperature schedule over training progress step / (epochs · stepsPerEpoch)', async () => {
    const options = { temperature: { start: 8, end: 2, shape: 'linear' } };
    // 40 steps in all: step 0 → T = 8; step 20 → progress 1/2, T = 5; step 30 → progress 3/4, T = 8 − 6 · 3/4 = 3.5.
    expect(await strategyLossWith(options, start())).toBeCloseTo(await kdValue(wide, 8), 6);
    expect(await strategyLossWith(options, contextAt({ step: 20, epochs: 10, stepsPerEpoch: 4 }))).toBeCloseTo(
      await kdValue(wide, 5),
      6,
    );
    expect(await strategyLossWith(options, contextAt({ step: 30, epochs: 10, stepsPerEpoch: 4 }))).toBeCloseTo(
      await kdValue(wide, 3.5),
      6,
    );
  });

  it('reads a cosine schedule, and a schedule without a shape as linear', async () => {
    const middle = contextAt({ step: 20, epochs: 10, stepsPerEpoch: 4 });
    // Halfway through, cosine and linear agree on the midpoint: (8 + 2) / 2 = 5.
    expect(await strategyLossWith({ temperature: { start: 8, end: 2, shape: 'cosine' } }, middle)).toBeCloseTo(
      await kdValue(wide, 5),
      6,
    );
    // A quarter through, linear gives 8 − 6/4 = 6.5.
    const quarter = contextAt({ step: 10, epochs: 10, stepsPerEpoch: 4 });
    expect(await strategyLossWith({ temperature: { start: 8, end: 2 } }, quarter)).toBeCloseTo(await kdValue(wide, 6.5), 6);
  });

  it('rejects a temperature that is not positive, naming the option', () => {
    const create = (options: unknown) => () => kdStrategyFactory.create(options, creation);
    expect(create({ temperature: -1 })).toThrow(DistilleryError);
    expect(create({ temperature: -1 })).toThrow('strategies[0].options.temperature: expected a positive number');
    expect(create({ temperature: 0 })).toThrow('strategies[0].options.temperature: expected a positive number');
    expect(create({ temperature: { start: 4, end: -1 } })).toThrow(
      'strategies[0].options.temperature.end: expected a positive number',
    );
    expect(create({ temperature: 'hot' })).toThrow(
      "strategies[0].options.temperature: expected a positive number or a schedule { start, end, shape: 'linear' | 'cosine' }",
    );
    expect(create({ temperature: { start: 4, end: 1, shape: 'step' } })).toThrow('strategies[0].options.temperature: expected');
  });

  it('standardizes both logits first with standardize: true (KD + LS)', async () => {
    const loss = tf.tidy(() => kdLoss(standardizeLogits(student), standardizeLogits(deep), { temperature: 2 }));
    const [expected] = await loss.data();
    loss.dispose();
    expect(await strategyLossWith({ teacher: 'deep', temperature: 2, standardize: true }, start())).toBeCloseTo(
      expected as number,
      5,
    );
    expect(await strategyLossWith({ teacher: 'deep', temperature: 2 }, start())).not.toBeCloseTo(expected as number, 2);
    expect(() => kdStrategyFactory.create({ standardize: 1 }, creation)).toThrow('strategies[0].options.standardize:');
  });

  it('rejects unknown options', () => {
    expect(() => kdStrategyFactory.create({ temprature: 4 }, creation)).toThrow(
      "strategies[0].options: unknown key 'temprature'",
    );
  });

  it('rejects a teacher the experiment does not have', () => {
    expect(() => kdStrategyFactory.create({ teacher: 'tall' }, creation)).toThrow(
      "strategies[0].options.teacher: unknown teacher 'tall'; the teachers are: wide, deep",
    );
  });

  it('rejects an experiment without teachers', () => {
    expect(() => kdStrategyFactory.create({}, { ...creation, teacherNames: [] })).toThrow(
      'strategies[0].options.teacher: response.kd needs a teacher, but the experiment has none',
    );
  });
});
