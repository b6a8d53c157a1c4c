import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { creationContext, distillationContext, strategyLoss } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tfkdLoss } from './tfkdLoss.js';
import { tfkdStrategyFactory } from './tfkdStrategyFactory.js';

const creation = creationContext({ path: 'strategies[1].options', teacherNames: [] });
let student: tf.Tensor2D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  student = tf.tensor2d([
    [0.5, -1.0, 2.0],
    [1.0, 0.0, -0.5],
  ]);
  labels = tf.tensor1d([2, 0], 'int32');
});

afterAll(() => {
  tf.dispose([student, labels]);
});

describe('tfkdStrategyFactory', () => {
  it('is registered as response.tfkd with the reference defaults, and cites Yuan et al. 2020', () => {
    expect(tfkdStrategyFactory.key).toBe('response.tfkd');
    expect(tfkdStrategyFactory.optionsSchema?.parse({})).toEqual({
      correctProbability: 0.99,
      temperature: 20,
      form: 'reference',
    });
    expect(tfkdStrategyFactory.paper).toBe(
      'Yuan, Tay, Li, Wang, Feng 2020, "Revisiting Knowledge Distillation via Label Smoothing Regularization", CVPR',
    );
  });

  it('trains without any teacher: its loss is tfkdLoss on the student and the labels', async () => {
    const options = { correctProbability: 0.9, temperature: 4, form: 'paper' } as const;
    const strategy = tfkdStrategyFactory.create(options, creation);
    strategy.build?.({ student: {}, teachers: {}, numClasses: 3 });
    const expected = tf.tidy(() => tfkdLoss(student, labels, options).dataSync()[0] as number);
    expect(await strategyLoss(strategy, distillationContext({ student, labels }))).toBeCloseTo(expected, 6);
  });

  it('refuses, when built, a correct-class probability at or below 1/C, naming the option', () => {
    const strategy = tfkdStrategyFactory.create({ correctProbability: 0.3 }, creation);
    const build = () => strategy.build?.({ student: {}, teachers: {}, numClasses: 3 });
    expect(build).toThrow(DistilleryError);
    expect(build).toThrow(
      'strategies[1].options.correctProbability: expected more than 1/C = 0.3333333333333333 so the true class leads, got 0.3',
    );
  });

  it('rejects bad options in one line naming the option', () => {
    const create = (options: unknown) => () => tfkdStrategyFactory.create(options, creation);
    expect(create({ correctProbability: 1 })).toThrow('strategies[1].options.correctProbability: expected a number in (0, 1)');
    expect(create({ temperature: -2 })).toThrow('strategies[1].options.temperature: expected a positive number');
    expect(create({ form: 'blog' })).toThrow("strategies[1].options.form: expected 'reference' or 'paper'");
    expect(create({ teacher: 'wide' })).toThrow("strategies[1].options: unknown key 'teacher'");
  });
});
