import '@tensorflow/tfjs-backend-cpu';
import { createDistiller, type Distiller, type EpochMetrics, TensorDataset, type TrainingState } from '@distillery/core';
import { expectNoLeaks, fixtureMlp } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multiTeacherPlugin } from './multiTeacherPlugin.js';

const examples = 70;
let wide: tfl.Sequential;
let deep: tfl.Sequential;

beforeAll(async () => {
  await tf.setBackend('cpu');
  wide = fixtureMlp({ inputSize: 6, hidden: [12], classes: 3, prefix: 'wide', seed: 40 });
  deep = fixtureMlp({ inputSize: 6, hidden: [10, 6], classes: 3, prefix: 'deep', seed: 50 });
});

afterAll(() => {
  wide.dispose();
  deep.dispose();
});

/** 70 examples of 6 features in 3 classes: the class is the arg-max of the first three features. */
function data(): TensorDataset {
  const inputs = tf.randomNormal([examples, 6], 0, 1, 'float32', 8);
  const labels = tf.tidy(() => tf.argMax(tf.slice(inputs, [0, 0], [examples, 3]), 1));
  return new TensorDataset(inputs, labels, 'synthetic-70');
}

const logged: string[] = [];

function distillerFor(student: tfl.LayersModel): Distiller {
  return createDistiller({
    teachers: [
      { name: 'wide', model: wide },
      { name: 'deep', model: deep },
    ],
    student: { model: student },
    strategies: [
      { key: 'task.ce' },
      {
        key: 'multi.crd',
        weight: 0.8,
        options: {
          student: 'student_hidden1',
          teacherLayer: { wide: 'wide_hidden1', deep: 'deep_hidden2' },
          featureDim: 16,
          negatives: 32,
          policy: 'confidence',
        },
      },
    ],
    plugins: [multiTeacherPlugin],
    training: { epochs: 3, batchSize: 16, seed: 5, optimizer: { name: 'adam', learningRate: 0.02 } },
    backend: 'cpu',
    logger: { info: (line) => logged.push(line), warn: (line) => logged.push(line) },
  });
}

describe('multi.crd in training, with two teachers', () => {
  it('trains its heads, reports each teacher’s part, checkpoints 2 banks and Z per teacher, and leaks nothing', async () => {
    const train = data();
    const model = fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 'student', seed: 1 });
    const states: TrainingState[] = [];
    const tensorsAtEpochEnd: number[] = [];
    let history: EpochMetrics[] = [];
    let heads: string[] = [];
    await expectNoLeaks(async () => {
      const distiller = distillerFor(model);
      distiller.on('epochEnd', () => {
        tensorsAtEpochEnd.push(tf.memory().numTensors);
      });
      history = await distiller.fit(train, {
        diagnoseTeachers: false,
        checkpoint: { everySteps: 100, save: async (state) => void states.push(state) },
      });
      heads = distiller.strategyVariables().map(({ name }) => name);
      distiller.dispose();
    });
    // It learns: the contrastive term falls over the three epochs (18.4, 17.1, 13.9 in this run).
    const crd = history.map(({ losses }) => losses['multi.crd'] as number);
    expect(crd[2]).toBeLessThan((crd[0] as number) * 0.9);
    expect(tensorsAtEpochEnd[2]).toBe(tensorsAtEpochEnd[1]);
    for (const epoch of history) {
      const parts = epoch.lossParts?.['multi.crd'] ?? {};
      expect(Object.keys(parts)).toEqual(['student', 'teacher', 'crd/wide', 'crd/deep']);
      expect(epoch.losses['multi.crd']).toBeCloseTo((parts.student as number) + (parts.teacher as number), 4);
      expect(epoch.losses['multi.crd']).toBeCloseTo((parts['crd/wide'] as number) + (parts['crd/deep'] as number), 4);
    }
    const final = states.at(-1);
    expect(final?.strategyState?.map(({ shape }) => shape)).toEqual([
      [examples, 16],
      [examples, 16],
      [2],
      [examples, 16],
      [examples, 16],
      [2],
    ]);
    // Z of both sides of both teachers set on the first step.
    for (const z of [final?.strategyState?.[2], final?.strategyState?.[5]]) {
      expect(Array.from(z?.values ?? []).every((value) => value > 0)).toBe(true);
    }
    // Per teacher 2 · 70 · 16 · 4 bytes + 2 · 4 for Z = 8,968 bytes; both: 17,936 bytes = 17.5 KiB.
    expect(logged).toContain('strategy state (checkpointed with the run): multi.crd: 6 tensors, 17.5 KiB');
    // The heads train with the student (hidden1 is 8 wide; wide's hidden1 12, deep's hidden2 6); the banks do not.
    expect(heads).toEqual([
      'multi.crd/wide/student/kernel',
      'multi.crd/wide/student/bias',
      'multi.crd/wide/teacher/kernel',
      'multi.crd/wide/teacher/bias',
      'multi.crd/deep/student/kernel',
      'multi.crd/deep/student/bias',
      'multi.crd/deep/teacher/kernel',
      'multi.crd/deep/teacher/bias',
    ]);
    model.dispose();
    train.dispose();
  });
});
