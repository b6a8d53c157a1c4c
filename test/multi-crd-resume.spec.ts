import '@tensorflow/tfjs-backend-cpu';
import {
  createDistiller,
  type Distiller,
  type FitOptions,
  TensorDataset,
  TrainingInterrupted,
  type TrainingState,
} from '@distillery/core';
import { gaussianClusters } from '@distillery/data';
import { decodeTrainingState, encodeTrainingState } from '@distillery/node';
import { multiTeacherPlugin } from '@distillery/plugin-multi-teacher';
import { expectNoLeaks, fixtureMlp, silentLogger, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// multi.crd keeps two memory banks and Z per teacher as strategy state; a run interrupted mid-epoch, its checkpoint
// written to bytes and read back as FileStageStore does, and resumed in a new Distiller must end where the
// uninterrupted run ends, bit for bit: student, heads and every bank.

const examples = 70;
let wide: tfl.Sequential;
let deep: tfl.Sequential;

beforeAll(async () => {
  await tf.setBackend('cpu');
  wide = fixtureMlp({ inputSize: 6, hidden: [12], classes: 3, prefix: 'wide', seed: 40 });
  deep = fixtureMlp({ inputSize: 6, hidden: [10], classes: 3, prefix: 'deep', seed: 50 });
});

afterAll(() => {
  wide.dispose();
  deep.dispose();
});

function data(): TensorDataset {
  const { inputs, labels } = gaussianClusters({ examples, features: 6, classes: 3, seed: 8 });
  return new TensorDataset(tf.tensor2d(inputs, [examples, 6]), tf.tensor1d(labels, 'int32'), 'synthetic-70');
}

const student = (seed: number) => fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 'student', seed });

function distillerFor(model: tfl.LayersModel): Distiller {
  return createDistiller({
    teachers: [
      { name: 'wide', model: wide },
      { name: 'deep', model: deep },
    ],
    student: { model },
    strategies: [
      { key: 'task.ce' },
      {
        key: 'multi.crd',
        weight: 0.8,
        options: {
          student: 'student_hidden1',
          teacherLayer: { wide: 'wide_hidden1', deep: 'deep_hidden1' },
          featureDim: 16,
          negatives: 32,
          policy: 'entropy',
        },
      },
    ],
    plugins: [multiTeacherPlugin],
    training: { epochs: 3, batchSize: 16, seed: 5, optimizer: { name: 'adam', learningRate: 0.02 } },
    backend: 'cpu',
    logger: silentLogger,
  });
}

/** Fits, keeping every checkpoint `fit` saves (one after each epoch, and one on interrupt). */
async function fitKeepingStates(distiller: Distiller, train: TensorDataset, options: FitOptions = {}) {
  const states: TrainingState[] = [];
  const checkpoint: FitOptions['checkpoint'] = { everySteps: 100, save: async (state) => void states.push(state) };
  await distiller.fit(train, { diagnoseTeachers: false, checkpoint, ...options });
  return states;
}

const stateValues = (state: TrainingState | undefined) => (state?.strategyState ?? []).map(({ values }) => Array.from(values));
const variableValues = (distiller: Distiller) => distiller.strategyVariables().map((variable) => Array.from(variable.dataSync()));

describe('multi.crd with two teachers, interrupted mid-epoch and resumed from its encoded checkpoint', () => {
  it('ends with the uninterrupted run’s student weights, heads and banks, bit for bit', async () => {
    const train = data();
    const wholeModel = student(1);
    const whole = distillerFor(wholeModel);
    const expectedState = stateValues((await fitKeepingStates(whole, train)).at(-1));
    const expectedHeads = variableValues(whole);
    const expectedWeights = weightsOf(wholeModel).map((values) => Array.from(values));
    whole.dispose();

    const interruptedModel = student(1);
    const interrupted = distillerFor(interruptedModel);
    interrupted.on('batchEnd', ({ step }) => {
      if (step === 7) interrupted.interrupt();
    });
    const states: TrainingState[] = [];
    const checkpoint: FitOptions['checkpoint'] = { everySteps: 100, save: async (state) => void states.push(state) };
    await expect(interrupted.fit(train, { diagnoseTeachers: false, checkpoint })).rejects.toThrow(TrainingInterrupted);
    interrupted.dispose();
    const bytes = encodeTrainingState(states.at(-1) as TrainingState, 'multi-crd');
    const { state: saved, fingerprint } = decodeTrainingState(bytes, 'state.ckpt');
    expect(fingerprint).toBe('multi-crd');
    // 70 examples in batches of 16: 5 steps an epoch, so step 7 ends the third batch of epoch 1.
    expect([saved.epoch, saved.batch]).toEqual([1, 3]);
    expect(saved.strategyState?.map(({ shape }) => shape)).toEqual([
      [examples, 16],
      [examples, 16],
      [2],
      [examples, 16],
      [examples, 16],
      [2],
    ]);
    // The banks have moved from their start: the checkpoint carries state that matters.
    expect(stateValues(saved)).not.toEqual(expectedState);

    const resumedModel = student(99);
    await expectNoLeaks(async () => {
      const resumed = distillerFor(resumedModel);
      const resumedStates = await fitKeepingStates(resumed, train, { resume: saved });
      expect(stateValues(resumedStates.at(-1))).toEqual(expectedState);
      expect(variableValues(resumed)).toEqual(expectedHeads);
      resumed.dispose();
    });
    expect(weightsOf(resumedModel).map((values) => Array.from(values))).toEqual(expectedWeights);
    for (const model of [wholeModel, interruptedModel, resumedModel]) model.dispose();
    train.dispose();
  });
});
