import '@tensorflow/tfjs-backend-cpu';
import { createDistiller, type EpochMetrics } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { attentionPlugin } from '@distillery/plugin-attention';
import { fixtureCnn, silentLogger, trainOnLabels, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('attention.at in an experiment', () => {
  let train: IndexedDataset;
  let validation: IndexedDataset;
  let teacher: tfl.LayersModel;
  let teacherBefore: Float32Array[] = [];

  beforeAll(async () => {
    const data = new IndexedDataset(
      gaussianClusters({ examples: 128, features: 64, classes: 3, exampleShape: [8, 8, 1], seed: 4 }),
    );
    [train, validation] = [data.take(96), data.slice(96)];
    teacher = fixtureCnn({ inputShape: [8, 8, 1], channels: [8, 16], classes: 3, prefix: 'teacher', seed: 1 });
    await trainOnLabels(teacher, train, { epochs: 4 });
    teacherBefore = weightsOf(teacher);
  });

  afterAll(() => {
    teacher.dispose();
  });

  /** Distils `teacher` into a fresh thinner CNN for 5 epochs with task.ce and attention.at; returns the attention term per epoch. */
  async function distil(options: Record<string, unknown>): Promise<number[]> {
    const student = fixtureCnn({ inputShape: [8, 8, 1], channels: [4, 8], classes: 3, prefix: 'student', seed: 41 });
    const distiller = createDistiller({
      teachers: [{ name: 'wide', model: teacher }],
      student: { model: student },
      strategies: [
        { key: 'task.ce', weight: 1 },
        { key: 'attention.at', weight: 1, options },
      ],
      training: { epochs: 5, batchSize: 16, seed: 2, optimizer: { name: 'adam', learningRate: 0.01 } },
      plugins: [attentionPlugin],
      backend: 'cpu',
      logger: silentLogger,
    });
    expect(distiller.strategyVariables()).toEqual([]);
    const tensorsAtEpochEnd: number[] = [];
    distiller.on('epochEnd', () => {
      tensorsAtEpochEnd.push(tf.memory().numTensors);
    });
    const history: EpochMetrics[] = await distiller.fit(train, { validation });
    distiller.dispose();
    student.dispose();

    expect(history.every((epoch) => Number.isFinite(epoch.validation?.accuracy))).toBe(true);
    expect(weightsOf(teacher)).toEqual(teacherBefore);
    expect(tensorsAtEpochEnd).toHaveLength(5);
    expect(new Set(tensorsAtEpochEnd).size).toBe(1);
    return history.map((epoch) => epoch.losses['attention.at'] as number);
  }

  it('distils a CNN into a thinner one at layers of equal size: the attention term falls, the teacher stays frozen, nothing leaks', async () => {
    // conv1: [B, 8, 8, 8] vs [B, 8, 8, 4]; conv2: [B, 4, 4, 16] vs [B, 4, 4, 8]. Channels differ; maps average them.
    const attention = await distil({
      pairs: [
        { student: 'student_conv1', teacher: 'teacher_conv1' },
        { student: 'student_conv2', teacher: 'teacher_conv2' },
      ],
    });
    expect(attention.every(Number.isFinite)).toBe(true);
    expect(attention[attention.length - 1]).toBeLessThan((attention[0] as number) * 0.8);
  });

  it('pairs layers of different size by reducing the larger student map bilinearly, gradients included', async () => {
    // student_conv1 [B, 8, 8, 4] is resized to teacher_conv2's 4×4 before its attention map is taken.
    const attention = await distil({ pairs: [{ student: 'student_conv1', teacher: 'teacher_conv2' }], resize: 'bilinear' });
    expect(attention.every(Number.isFinite)).toBe(true);
    expect(attention[attention.length - 1]).toBeLessThan((attention[0] as number) * 0.8);
  });
});
