import '@tensorflow/tfjs-backend-cpu';
import { type DistillationContext, DistilleryError } from '@distillery/core';
import { creationContext, distillationContext, strategyLoss } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosineLogitsLoss } from './cosineLogitsLoss.js';
import { cosineStrategyFactory } from './cosineStrategyFactory.js';

const creation = creationContext({ path: 'strategies[0].options', teacherNames: ['wide', 'deep'] });

let student: tf.Tensor2D;
let wide: tf.Tensor2D;
let deep: tf.Tensor2D;
let labels: tf.Tensor1D;
let context: DistillationContext;

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
  context = distillationContext({ student, teachers: { wide, deep }, labels });
});

afterAll(() => {
  tf.dispose([student, wide, deep, labels]);
});

async function directLoss(teacher: tf.Tensor2D, epsilon?: number): Promise<number> {
  const loss = cosineLogitsLoss(student, teacher, { epsilon });
  const [value] = await loss.data();
  loss.dispose();
  return value as number;
}

describe('cosineStrategyFactory', () => {
  it('is registered as custom.cosine', () => {
    expect(cosineStrategyFactory.key).toBe('custom.cosine');
    expect(cosineStrategyFactory.create({}, creation).key).toBe('custom.cosine');
  });

  it('compares the student with the first teacher by default, leaving no tensor behind', async () => {
    // strategyLoss runs the loss in a tidy, as the kernel does, and fails on a non-scalar or a leaked tensor.
    expect(await strategyLoss(cosineStrategyFactory.create(undefined, creation), context)).toBeCloseTo(await directLoss(wide), 6);
  });

  it('compares the student with the teacher it names', async () => {
    const strategy = cosineStrategyFactory.create({ teacher: 'deep' }, creation);
    expect(await strategyLoss(strategy, context)).toBeCloseTo(await directLoss(deep), 6);
    expect(await directLoss(deep)).not.toBeCloseTo(await directLoss(wide), 3);
  });

  it('hands its epsilon to the loss', async () => {
    const strategy = cosineStrategyFactory.create({ epsilon: 2 }, creation);
    const value = await strategyLoss(strategy, context);
    expect(value).toBeCloseTo(await directLoss(wide, 2), 6);
    expect(value).not.toBeCloseTo(await directLoss(wide), 3);
  });

  it('rejects an epsilon that is not a positive number, naming the option', () => {
    const create = (options: unknown) => () => cosineStrategyFactory.create(options, creation);
    expect(create({ epsilon: 0 })).toThrow(DistilleryError);
    expect(create({ epsilon: 0 })).toThrow('strategies[0].options.epsilon: expected a positive number');
    expect(create({ epsilon: -1 })).toThrow('strategies[0].options.epsilon: expected a positive number');
    expect(create({ epsilon: 'small' })).toThrow('strategies[0].options.epsilon: expected a positive number');
  });

  it('rejects unknown options, such as a temperature, which this loss could not use', () => {
    expect(() => cosineStrategyFactory.create({ temperature: 4 }, creation)).toThrow(
      "strategies[0].options: unknown key 'temperature'",
    );
  });

  it('rejects a teacher the experiment does not have', () => {
    expect(() => cosineStrategyFactory.create({ teacher: 'tall' }, creation)).toThrow(
      "strategies[0].options.teacher: unknown teacher 'tall'; the teachers are: wide, deep",
    );
    expect(() => cosineStrategyFactory.create({ teacher: '' }, creation)).toThrow(
      'strategies[0].options.teacher: expected a teacher name',
    );
  });

  it('rejects an experiment without teachers', () => {
    expect(() => cosineStrategyFactory.create({}, { ...creation, teacherNames: [] })).toThrow(
      'strategies[0].options.teacher: custom.cosine needs a teacher, but the experiment has none',
    );
  });
});
