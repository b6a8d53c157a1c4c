import '@tensorflow/tfjs-backend-cpu';
import { createDistiller, type EpochMetrics, type StrategySpec } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { featurePlugin } from '@distillery/plugin-feature';
import { fixtureCnn, fixtureMlp, silentLogger, trainOnLabels, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function layerWeights(model: tfl.LayersModel, layer: string): number[] {
  return model
    .getLayer(layer)
    .getWeights()
    .flatMap((weight) => Array.from(weight.dataSync()));
}

describe('feature.hint in an experiment', () => {
  const models: tfl.LayersModel[] = [];

  afterAll(() => {
    for (const model of models) model.dispose();
  });

  it('distils a CNN through a 1×1-conv adapter: the hint falls, the teacher stays frozen, nothing leaks', async () => {
    const data = new IndexedDataset(
      gaussianClusters({ examples: 96, features: 64, classes: 4, exampleShape: [8, 8, 1], seed: 3 }),
    );
    const teacher = fixtureCnn({ inputShape: [8, 8, 1], channels: [8, 16], classes: 4, prefix: 'teacher', seed: 1 });
    const student = fixtureCnn({ inputShape: [8, 8, 1], channels: [4, 6], classes: 4, prefix: 'student', seed: 21 });
    models.push(teacher, student);
    await trainOnLabels(teacher, data, { epochs: 4 });
    const teacherBefore = weightsOf(teacher);

    // teacher_conv2 [B, 4, 4, 16] and student_conv2 [B, 4, 4, 6]: same H×W, different channels.
    const distiller = createDistiller({
      teachers: [{ name: 'cnn', model: teacher }],
      student: { model: student },
      strategies: [
        { key: 'task.ce', weight: 1 },
        { key: 'feature.hint', weight: 1, options: { pairs: [{ student: 'student_conv2', teacher: 'teacher_conv2' }] } },
      ],
      training: { epochs: 5, batchSize: 16, seed: 2, optimizer: { name: 'adam', learningRate: 0.01 } },
      plugins: [featurePlugin],
      backend: 'cpu',
      logger: silentLogger,
    });
    expect(distiller.strategyVariables().map((variable) => variable.shape)).toEqual([[1, 1, 6, 16], [16]]);
    const tensorsAtEpochEnd: number[] = [];
    distiller.on('epochEnd', () => {
      tensorsAtEpochEnd.push(tf.memory().numTensors);
    });
    const history: EpochMetrics[] = await distiller.fit(data);

    const hint = history.map((epoch) => epoch.losses['feature.hint'] as number);
    expect(hint.every(Number.isFinite)).toBe(true);
    expect(hint[hint.length - 1]).toBeLessThan((hint[0] as number) * 0.8);
    expect(weightsOf(teacher)).toEqual(teacherBefore);
    expect(tensorsAtEpochEnd).toHaveLength(5);
    expect(new Set(tensorsAtEpochEnd).size).toBe(1);

    const adapterVariables = distiller.strategyVariables();
    distiller.dispose();
    expect(adapterVariables.every((variable) => variable.isDisposed)).toBe(true);
  });

  it('runs FitNets in two stages: hints train only up to the guided layer, then the labels train the rest', async () => {
    const data = new IndexedDataset(gaussianClusters({ examples: 64, features: 12, classes: 3, seed: 5 }));
    const teacher = fixtureMlp({ inputSize: 12, hidden: [24, 24], classes: 3, prefix: 'teacher', seed: 1 });
    const student = fixtureMlp({ inputSize: 12, hidden: [8, 8], classes: 3, prefix: 'student', seed: 31 });
    models.push(teacher, student);
    await trainOnLabels(teacher, data, { epochs: 3 });

    const stages: StrategySpec[] = [
      {
        key: 'feature.hint',
        weight: 1,
        until: 2,
        options: { pairs: [{ student: 'student_hidden1', teacher: 'teacher_hidden1' }] },
      },
      { key: 'task.ce', weight: 1, from: 2 },
    ];
    // Adam on purpose: its moment slots must survive the set of variables with gradients changing between stages.
    const distiller = createDistiller({
      teachers: [{ name: 'mlp', model: teacher }],
      student: { model: student },
      strategies: stages,
      training: { epochs: 4, batchSize: 16, seed: 3, optimizer: { name: 'adam', learningRate: 0.01 } },
      plugins: [featurePlugin],
      backend: 'cpu',
      logger: silentLogger,
    });
    const layers = ['student_hidden1', 'student_hidden2', 'student_logits'] as const;
    const snapshot = (): Record<(typeof layers)[number] | 'adapter', number[]> => ({
      student_hidden1: layerWeights(student, 'student_hidden1'),
      student_hidden2: layerWeights(student, 'student_hidden2'),
      student_logits: layerWeights(student, 'student_logits'),
      adapter: distiller.strategyVariables().flatMap((variable) => Array.from(variable.dataSync())),
    });
    const start = snapshot();
    let endOfStage1: ReturnType<typeof snapshot> | undefined;
    distiller.on('epochEnd', ({ epoch }) => {
      if (epoch === 1) endOfStage1 = snapshot();
    });
    const history = await distiller.fit(data);
    const end = snapshot();

    // Stage 1 (epochs 0–1): the hint's gradients reach the guided layer and the adapter only.
    expect(endOfStage1).toBeDefined();
    expect(endOfStage1?.student_hidden1).not.toEqual(start.student_hidden1);
    expect(endOfStage1?.adapter).not.toEqual(start.adapter);
    expect(endOfStage1?.student_hidden2).toEqual(start.student_hidden2);
    expect(endOfStage1?.student_logits).toEqual(start.student_logits);
    // Stage 2 (epochs 2–3): cross-entropy trains the layers above; the adapter is left alone.
    expect(end.student_hidden2).not.toEqual(endOfStage1?.student_hidden2);
    expect(end.student_logits).not.toEqual(endOfStage1?.student_logits);
    expect(end.adapter).toEqual(endOfStage1?.adapter);

    const losses = history.map((epoch) => epoch.losses);
    expect(losses.map((epoch) => epoch['task.ce'] === 0)).toEqual([true, true, false, false]);
    expect(losses.map((epoch) => epoch['feature.hint'] === 0)).toEqual([false, false, true, true]);
    expect(losses[1]?.['feature.hint']).toBeLessThan(losses[0]?.['feature.hint'] as number);
    distiller.dispose();
  });
});
