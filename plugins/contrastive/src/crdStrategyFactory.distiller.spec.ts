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
import { expectNoLeaks, fixtureMlp, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastivePlugin } from './contrastivePlugin.js';

const examples = 70;
let teacher: tfl.Sequential;

beforeAll(async () => {
  await tf.setBackend('cpu');
  teacher = fixtureMlp({ inputSize: 6, hidden: [12], classes: 3, prefix: 'teacher', seed: 40 });
});

afterAll(() => {
  teacher.dispose();
});

function data(): TensorDataset {
  const { inputs, labels } = gaussianClusters({ examples, features: 6, classes: 3, seed: 8 });
  return new TensorDataset(tf.tensor2d(inputs, [examples, 6]), tf.tensor1d(labels, 'int32'), 'synthetic-70');
}

const student = (seed: number) => fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 'student', seed });

function distillerFor(model: tfl.LayersModel, epochs = 3): Distiller {
  return createDistiller({
    teachers: [{ name: 'teacher', model: teacher }],
    student: { model },
    strategies: [
      { key: 'task.ce' },
      {
        key: 'contrastive.crd',
        weight: 0.8,
        options: { student: 'student_hidden1', teacherLayer: 'teacher_hidden1', featureDim: 16, negatives: 32 },
      },
    ],
    plugins: [contrastivePlugin],
    training: { epochs, batchSize: 16, seed: 5, optimizer: { name: 'adam', learningRate: 0.02 } },
    backend: 'cpu',
    logger: { info() {}, warn() {} },
  });
}

/** Fits, keeping the checkpoints `fit` saves (one after every epoch): the last holds the strategy's final state. */
async function fitKeepingStates(distiller: Distiller, train: TensorDataset, options: FitOptions = {}) {
  const states: TrainingState[] = [];
  const checkpoint: FitOptions['checkpoint'] = { everySteps: 100, save: async (state) => void states.push(state) };
  const history = await distiller.fit(train, { diagnoseTeachers: false, checkpoint, ...options });
  return { history, states };
}

const stateValues = (state: TrainingState | undefined) => (state?.strategyState ?? []).map(({ values }) => Array.from(values));

describe('contrastive.crd in training', () => {
  it('trains: its loss falls over the epochs, and its state is two [N, featureDim] memories and Z', async () => {
    const train = data();
    const model = student(1);
    const distiller = distillerFor(model, 6);
    const { history, states } = await fitKeepingStates(distiller, train);
    const crd = history.map(({ losses }) => losses['contrastive.crd'] as number);
    expect(crd.at(-1)).toBeLessThan((crd[0] as number) * 0.9);
    const parts = history.map(({ lossParts }) => lossParts?.['contrastive.crd']);
    expect(Object.keys(parts[0] ?? {})).toEqual(['student', 'teacher']);
    const final = states.at(-1);
    expect(final?.strategyState?.map(({ shape }) => shape)).toEqual([[examples, 16], [examples, 16], [2]]);
    expect(stateValues(final)[2]?.every((z) => z > 0)).toBe(true);
    // The heads train with the student; the memories do not.
    expect(distiller.strategyVariables().map(({ name }) => name)).toEqual([
      'contrastive.crd/student/kernel',
      'contrastive.crd/student/bias',
      'contrastive.crd/teacher/kernel',
      'contrastive.crd/teacher/bias',
    ]);
    distiller.dispose();
    model.dispose();
    train.dispose();
  });

  it('resumes mid-epoch from a checkpoint and ends with the uninterrupted run’s student weights and memories, bit for bit', async () => {
    const train = data();
    const wholeModel = student(1);
    const whole = distillerFor(wholeModel);
    const expectedState = stateValues((await fitKeepingStates(whole, train)).states.at(-1));
    const expectedWeights = weightsOf(wholeModel).map((values) => Array.from(values));
    const expectedHeads = whole.strategyVariables().map((variable) => Array.from(variable.dataSync()));
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
    const saved = states.at(-1) as TrainingState;
    expect([saved.epoch, saved.batch]).toEqual([1, 3]);
    expect(saved.strategyState?.map(({ shape }) => shape)).toEqual([[examples, 16], [examples, 16], [2]]);

    const resumedModel = student(99);
    await expectNoLeaks(async () => {
      const resumed = distillerFor(resumedModel);
      const { states: resumedStates } = await fitKeepingStates(resumed, train, { resume: saved });
      expect(stateValues(resumedStates.at(-1))).toEqual(expectedState);
      expect(resumed.strategyVariables().map((variable) => Array.from(variable.dataSync()))).toEqual(expectedHeads);
      resumed.dispose();
    });
    expect(weightsOf(resumedModel).map((values) => Array.from(values))).toEqual(expectedWeights);
    for (const model of [wholeModel, interruptedModel, resumedModel]) model.dispose();
    train.dispose();
  });
});
