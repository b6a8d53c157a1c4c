import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { DistilleryError, runStages, type StageSpec, trainingOptionsSchema } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { responsePlugin } from '@distillery/plugin-response';
import { expectNoLeaks, fixtureMlp, silentLogger } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BornAgainOptions } from './BornAgainOptions.js';
import { bornAgainStages } from './bornAgainStages.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const training = { epochs: 2, batchSize: 8, seed: 3 };
const buildTiny = (generation: number) => fixtureMlp({ inputSize: 4, hidden: [3], classes: 2, seed: 10 + generation });

/** Options with a builder that records the generation of every call. */
function recorded(overrides: Partial<BornAgainOptions> = {}): { options: BornAgainOptions; calls: number[] } {
  const calls: number[] = [];
  const options: BornAgainOptions = {
    generations: 3,
    buildStudent: (generation) => {
      calls.push(generation);
      return buildTiny(generation);
    },
    training,
    ...overrides,
  };
  return { options, calls };
}

/** Builds a stage's student the way runStages does when the stage begins. */
function studentOf(stage: StageSpec | undefined): tfl.LayersModel {
  const student = stage?.student;
  if (student === undefined || !('model' in student) || typeof student.model !== 'function') {
    throw new Error('expected a stage whose student is a function');
  }
  return student.model();
}

function errorOf(options: unknown): DistilleryError {
  try {
    bornAgainStages(options as BornAgainOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(DistilleryError);
    return error as DistilleryError;
  }
  throw new Error('expected bornAgainStages to throw');
}

describe('bornAgainStages', () => {
  it('trains generation 0 on the labels, then distils each generation from the one before with response.kd at T = 1', () => {
    const stages = bornAgainStages(recorded().options);
    const parsedTraining = trainingOptionsSchema.parse(training);
    expect(stages.map((stage) => stage.name)).toEqual(['gen0', 'gen1', 'gen2', 'gen3']);
    expect(stages.map((stage) => stage.student.name)).toEqual(['gen0', 'gen1', 'gen2', 'gen3']);
    expect(stages.map((stage) => stage.teachers)).toEqual([
      undefined,
      [{ name: 'gen0', stage: 'gen0' }],
      [{ name: 'gen1', stage: 'gen1' }],
      [{ name: 'gen2', stage: 'gen2' }],
    ]);
    expect(stages[0]?.strategies).toEqual([{ key: 'task.ce', weight: 1 }]);
    for (const stage of stages.slice(1)) {
      expect(stage.strategies).toEqual([{ key: 'response.kd', weight: 1, options: { temperature: 1 } }]);
    }
    for (const stage of stages) expect(stage.training).toEqual(parsedTraining);
  });

  it('trains generation 0 with teacherTraining when given', () => {
    const teacherTraining = { epochs: 5, batchSize: 16 };
    const stages = bornAgainStages(recorded({ teacherTraining }).options);
    expect(stages[0]?.training).toEqual(trainingOptionsSchema.parse(teacherTraining));
    expect(stages[1]?.training).toEqual(trainingOptionsSchema.parse(training));
  });

  it('adds task.ce for the KD + CE variant, with the given weights and temperature', () => {
    const stages = bornAgainStages(
      recorded({ distillation: { labelWeight: 0.3, kdWeight: 0.7, temperature: { start: 4, end: 2 } } }).options,
    );
    expect(stages[2]?.strategies).toEqual([
      { key: 'task.ce', weight: 0.3 },
      { key: 'response.kd', weight: 0.7, options: { temperature: { start: 4, end: 2 } } },
    ]);
  });

  it('uses distillation.strategies, when given, as the whole objective of every distilled generation', () => {
    const strategies = [{ key: 'response.dkd', weight: 2, options: { warmupEpochs: 1 } }];
    const stages = bornAgainStages(recorded({ generations: 2, distillation: { strategies } }).options);
    expect(stages[0]?.strategies).toEqual([{ key: 'task.ce', weight: 1 }]);
    expect(stages[1]?.strategies).toEqual(strategies);
    expect(stages[2]?.strategies).toEqual(strategies);
  });

  it('names stages, students and teachers with namePrefix', () => {
    const stages = bornAgainStages(recorded({ generations: 1, namePrefix: 'ban-' }).options);
    expect(stages.map((stage) => stage.name)).toEqual(['ban-0', 'ban-1']);
    expect(stages[1]?.teachers).toEqual([{ name: 'ban-0', stage: 'ban-0' }]);
  });

  it('builds no model until a stage asks for its student, then a fresh one per generation', () => {
    const { options, calls } = recorded();
    const stages = bornAgainStages(options);
    expect(calls).toEqual([]);
    const models = stages.map(studentOf);
    expect(calls).toEqual([0, 1, 2, 3]);
    expect(new Set(models).size).toBe(4);
    for (const model of models) model.dispose();
  });

  it('refuses a builder that returns a model it returned before, or something that is not a model', () => {
    const shared = buildTiny(0);
    const stages = bornAgainStages({ generations: 1, buildStudent: () => shared, training });
    const build = (k: number) => studentOf(stages[k]);
    expect(build(0)).toBe(shared);
    expect(() => build(1)).toThrow(
      'buildStudent(1): returned the model it built for generation 0 again; every generation needs a freshly built model',
    );
    shared.dispose();

    const notAModel = bornAgainStages({ generations: 1, buildStudent: () => ({}) as tfl.LayersModel, training });
    expect(() => studentOf(notAModel[0])).toThrow('buildStudent(0): expected a tf.LayersModel, got Object');
  });

  it('names the field of a bad option', () => {
    const { options } = recorded();
    expect(errorOf({ ...options, generations: 0 }).message).toBe('generations: expected an integer ≥ 1');
    expect(errorOf({ ...options, generations: 1.5 }).message).toBe('generations: expected an integer ≥ 1');
    expect(errorOf({ ...options, generations: '2' }).message).toBe('generations: expected an integer ≥ 1');
    expect(errorOf({ ...options, generations: undefined }).field).toBe('generations');
    expect(errorOf({ ...options, buildStudent: buildTiny(0) }).message).toBe(
      'buildStudent: expected a function (generation) => a fresh tf.LayersModel',
    );
    expect(errorOf({ ...options, training: undefined }).field).toBe('training');
    expect(errorOf({ ...options, training: { epochs: 0 } }).field).toBe('training.epochs');
    expect(errorOf({ ...options, teacherTraining: { batchSize: -1 } }).field).toBe('teacherTraining.batchSize');
    expect(errorOf({ ...options, namePrefix: 'gen 1' }).message).toBe('namePrefix: expected a name of letters, digits, _ . or -');
    expect(errorOf({ ...options, distillation: { temperature: 0 } }).message).toBe(
      'distillation.temperature: expected a positive number',
    );
    expect(errorOf({ ...options, distillation: { temperature: 'hot' } }).message).toBe(
      "distillation.temperature: expected a positive number or a schedule { start, end, shape: 'linear' | 'cosine' }",
    );
    expect(errorOf({ ...options, distillation: { kdWeight: -1 } }).message).toBe(
      'distillation.kdWeight: expected a finite number ≥ 0',
    );
    expect(errorOf({ ...options, distillation: { labelWeight: Number.POSITIVE_INFINITY } }).field).toBe(
      'distillation.labelWeight',
    );
    expect(errorOf({ ...options, distillation: { strategies: [{ key: 'task.ce' }], temperature: 2 } }).message).toBe(
      'distillation.temperature: cannot be combined with distillation.strategies, which replaces the default objective',
    );
    expect(errorOf({ ...options, distillation: { strategies: [] } }).field).toBe('distillation.strategies');
    expect(errorOf({ ...options, distillation: { alpha: 0.5 } }).message).toBe("distillation: unknown key 'alpha'");
    expect(errorOf({ ...options, generation: 2 }).message).toBe("(root): unknown key 'generation'");
  });

  it('runs under runStages, building each generation when its stage begins and leaking no tensors', async () => {
    const data = new IndexedDataset(gaussianClusters({ examples: 16, features: 4, classes: 2, seed: 4 }));
    const { options, calls } = recorded({ generations: 2, training: { epochs: 1, batchSize: 8 } });
    const callsAtStageBegin: number[] = [];
    await expectNoLeaks(async () => {
      const results = await runStages(
        { stages: bornAgainStages(options), plugins: [responsePlugin], backend: 'cpu', logger: silentLogger },
        { train: data },
        { onStageBegin: () => callsAtStageBegin.push(calls.length) },
      );
      expect(callsAtStageBegin).toEqual([1, 2, 3]);
      expect(calls).toEqual([0, 1, 2]);
      expect(new Set(results.map((result) => result.model)).size).toBe(3);
      expect(Object.keys(results[2]?.history[0]?.losses ?? {})).toEqual(['response.kd']);
      for (const result of results) result.model.dispose();
    });
  });
});
