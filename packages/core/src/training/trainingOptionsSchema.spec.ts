import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainingOptionsSchema } from './trainingOptionsSchema.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainingOptionsSchema', () => {
  it('fills every default from an empty object', () => {
    expect(trainingOptionsSchema.parse({})).toEqual({
      epochs: 10,
      batchSize: 32,
      seed: 0,
      shuffle: true,
      optimizer: { name: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      schedule: { type: 'constant' },
      warmupEpochs: 0,
      onNonFinite: 'stop',
      teacherCache: { enabled: true, memoryBudgetMB: 1024, precision: 'float32', augmentedData: 'bypass' },
    });
  });

  it('fills the teacher cache’s other defaults when one is set', () => {
    expect(trainingOptionsSchema.parse({ teacherCache: { precision: 'float16' } }).teacherCache).toEqual({
      enabled: true,
      memoryBudgetMB: 1024,
      precision: 'float16',
      augmentedData: 'bypass',
    });
    expect(trainingOptionsSchema.safeParse({ teacherCache: { precision: 'int8' } }).success).toBe(false);
  });

  it('keeps per-epoch teacher caches at float32, naming the field when asked for float16', () => {
    expect(trainingOptionsSchema.parse({ teacherCache: { augmentedData: 'per-epoch' } }).teacherCache.precision).toBe('float32');
    const refused = trainingOptionsSchema.safeParse({ teacherCache: { augmentedData: 'per-epoch', precision: 'float16' } });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(['teacherCache', 'precision']);
    expect(refused.error?.issues[0]?.message).toContain('per-epoch caches are float32');
  });

  it('fills the defaults of the optimizer and schedule that were named', () => {
    const options = trainingOptionsSchema.parse({ optimizer: { name: 'sgd' }, schedule: { type: 'step', everyEpochs: 3 } });
    expect(options.optimizer).toEqual({ name: 'sgd', learningRate: 0.01, momentum: 0, nesterov: false });
    expect(options.schedule).toEqual({ type: 'step', everyEpochs: 3, gamma: 0.1 });
    const rmsprop = trainingOptionsSchema.parse({ optimizer: { name: 'rmsprop' }, schedule: { type: 'cosine' } });
    expect(rmsprop.optimizer).toEqual({
      name: 'rmsprop',
      learningRate: 1e-3,
      decay: 0.9,
      momentum: 0,
      epsilon: 1e-7,
    });
    expect(rmsprop.schedule).toEqual({ type: 'cosine', minLearningRate: 0 });
  });

  it('reads the CIFAR recipe: SGD with Nesterov momentum and weight decay, a multistep schedule', () => {
    const options = trainingOptionsSchema.parse({
      optimizer: { name: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
      schedule: { type: 'multistep', milestones: [150, 180, 210] },
    });
    expect(options.optimizer).toEqual({ name: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
    expect(options.schedule).toEqual({ type: 'multistep', milestones: [150, 180, 210], gamma: 0.1 });
  });

  it('rejects a negative weight decay and milestones that are empty, fractional or out of order', () => {
    const issue = (input: unknown) => trainingOptionsSchema.safeParse(input).error?.issues[0];
    expect(issue({ optimizer: { name: 'adam', weightDecay: -1e-4 } })?.path).toEqual(['optimizer', 'weightDecay']);
    expect(issue({ schedule: { type: 'multistep', milestones: [] } })?.path).toEqual(['schedule', 'milestones']);
    expect(issue({ schedule: { type: 'multistep', milestones: [1.5] } })?.path).toEqual(['schedule', 'milestones', 0]);
    expect(issue({ schedule: { type: 'multistep', milestones: [30, 20] } })).toMatchObject({
      path: ['schedule', 'milestones'],
      message: 'expected epochs in increasing order',
    });
    expect(issue({ schedule: { type: 'multistep', milestones: [10], gamma: 2 } })?.path).toEqual(['schedule', 'gamma']);
  });

  it('rejects an unknown key at the top level', () => {
    const result = trainingOptionsSchema.safeParse({ epoch: 3 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['epoch'], path: [] });
  });

  it('rejects an unknown key inside the optimizer', () => {
    const result = trainingOptionsSchema.safeParse({ optimizer: { name: 'adam', lr: 0.1 } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['lr'], path: ['optimizer'] });
  });

  it('rejects an optimizer it does not know', () => {
    const result = trainingOptionsSchema.safeParse({ optimizer: { name: 'adagrad' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe('optimizer');
  });

  it('rejects a non-positive learning rate and a fractional epoch count', () => {
    expect(trainingOptionsSchema.safeParse({ optimizer: { name: 'adam', learningRate: 0 } }).success).toBe(false);
    expect(trainingOptionsSchema.safeParse({ epochs: 2.5 }).success).toBe(false);
  });
});
