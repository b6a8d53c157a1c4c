import '@tensorflow/tfjs-backend-cpu';
import { createDistiller, type EpochMetrics, type StrategySpec } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { responsePlugin } from '@distillery/plugin-response';
import { fixtureMlp, silentLogger, trainOnLabels } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const features = 12;
const classes = 4;
const epochs = 12;

let train: IndexedDataset;
let validation: IndexedDataset;
let teacher: tfl.Sequential;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const data = new IndexedDataset(gaussianClusters({ examples: 384, features, classes, noise: 1.5, seed: 1 }));
  [train, validation] = [data.take(256), data.slice(256)];
  teacher = fixtureMlp({ inputSize: features, hidden: [48, 48], classes, seed: 11, prefix: 'teacher' });
  await trainOnLabels(teacher, train, { epochs: 8, seed: 3 });
});

afterAll(() => {
  teacher.dispose();
});

interface Run {
  readonly history: EpochMetrics[];
  readonly tensorsAtEpochEnd: number[];
  readonly teacherWeightsChanged: boolean;
}

/** Distils the trained teacher into a fresh small student with task.ce plus `strategy`. */
async function distil(strategy: StrategySpec, epochs: number): Promise<Run> {
  const student = fixtureMlp({ inputSize: features, hidden: [12], classes, seed: 21, prefix: 'student' });
  const teacherWeightsBefore = teacher.getWeights().map((weight) => weight.dataSync().slice());
  const distiller = createDistiller({
    teachers: [{ name: 'teacher', model: teacher }],
    student: { model: student },
    strategies: [{ key: 'task.ce', weight: 0.5 }, strategy],
    training: { epochs, batchSize: 32, seed: 5, optimizer: { name: 'adam', learningRate: 0.005 } },
    plugins: [responsePlugin],
    backend: 'cpu',
    logger: silentLogger,
  });
  const tensorsAtEpochEnd: number[] = [];
  distiller.on('epochEnd', () => {
    tensorsAtEpochEnd.push(tf.memory().numTensors);
  });
  const history = await distiller.fit(train, { validation });
  distiller.dispose();
  const teacherWeightsChanged = teacher
    .getWeights()
    .some((weight, i) => weight.dataSync().some((value, j) => value !== teacherWeightsBefore[i]?.[j]));
  student.dispose();
  return { history, tensorsAtEpochEnd, teacherWeightsChanged };
}

/** On held-out data, the student agrees with the teacher clearly more often after distillation than after one epoch. */
function expectStudentToFollowTheTeacher(history: readonly EpochMetrics[]): void {
  const agreement = history.map((epoch) => epoch.validation?.agreement.teacher as number);
  expect(agreement.at(-1)).toBeGreaterThan((agreement[0] as number) + 0.1);
}

describe('response strategies, trained end to end', () => {
  it('response.kd lowers its KD term, leaves the teacher untouched and leaks no tensors', async () => {
    const { history, tensorsAtEpochEnd, teacherWeightsChanged } = await distil(
      { key: 'response.kd', weight: 0.5, options: { temperature: { start: 4, end: 2, shape: 'cosine' } } },
      epochs,
    );
    const kd = history.map((epoch) => epoch.losses['response.kd'] as number);
    expect(kd.every(Number.isFinite)).toBe(true);
    expect(kd.at(-1)).toBeLessThan(kd[0] as number);
    expectStudentToFollowTheTeacher(history);
    expect(teacherWeightsChanged).toBe(false);
    expect(tensorsAtEpochEnd).toHaveLength(epochs);
    expect(new Set(tensorsAtEpochEnd).size).toBe(1);
  });

  it('response.dkd lowers its DKD term after a short warm-up, leaves the teacher untouched and leaks no tensors', async () => {
    const { history, tensorsAtEpochEnd, teacherWeightsChanged } = await distil(
      { key: 'response.dkd', weight: 0.5, options: { warmupEpochs: 2 } },
      epochs,
    );
    const dkd = history.map((epoch) => epoch.losses['response.dkd'] as number);
    expect(dkd.every(Number.isFinite)).toBe(true);
    expect(dkd.at(-1)).toBeLessThan(dkd[0] as number);
    expectStudentToFollowTheTeacher(history);
    expect(teacherWeightsChanged).toBe(false);
    expect(tensorsAtEpochEnd).toHaveLength(epochs);
    expect(new Set(tensorsAtEpochEnd).size).toBe(1);
  });
});
