import '@tensorflow/tfjs-backend-cpu';
import { createDistiller, type EpochMetrics, type StrategySpec } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { builtInPolicies, multiTeacherPlugin } from '@distillery/plugin-multi-teacher';
import { fixtureCnn, fixtureMlp, silentLogger, trainOnLabels, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const classes = 4;
let train: IndexedDataset;
let heldOut: IndexedDataset;
/** Three different architectures on one image dataset: an MLP, a CNN and a wider MLP. */
let teachers: { name: string; model: tfl.LayersModel }[];
/** A second CNN, so multi.attention has two teachers with NHWC maps. */
let otherCnn: tfl.LayersModel;
let weightsBefore: Map<tfl.LayersModel, Float32Array[]>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const data = new IndexedDataset(
    gaussianClusters({ examples: 320, features: 64, classes, exampleShape: [8, 8, 1], noise: 1.6, seed: 17 }),
  );
  [train, heldOut] = [data.take(240), data.slice(240)];
  teachers = [
    { name: 'mlp', model: fixtureMlp({ inputSize: 64, inputShape: [8, 8, 1], hidden: [24], classes, prefix: 'mlp', seed: 3 }) },
    { name: 'cnn', model: fixtureCnn({ inputShape: [8, 8, 1], channels: [8, 16], classes, prefix: 'cnn', seed: 4 }) },
    {
      name: 'wide',
      model: fixtureMlp({ inputSize: 64, inputShape: [8, 8, 1], hidden: [128], classes, prefix: 'wide', seed: 5 }),
    },
  ];
  otherCnn = fixtureCnn({ inputShape: [8, 8, 1], channels: [6, 12], classes, prefix: 'cnn2', seed: 6 });
  for (const model of [...teachers.map((teacher) => teacher.model), otherCnn]) {
    await trainOnLabels(model, train, { epochs: 4, batchSize: 32, seed: 1 });
  }
  weightsBefore = new Map([...teachers.map(({ model }) => model), otherCnn].map((model) => [model, weightsOf(model)]));
});

afterAll(() => {
  for (const { model } of teachers) model.dispose();
  otherCnn.dispose();
});

/**
 * Trains `student` for `epochs` epochs on task.ce plus `strategy`, checking that nothing leaks between epochs and
 * that no teacher changes; returns the history and the distiller's teacher diagnostics.
 */
async function distil(
  experimentTeachers: { name: string; model: tfl.LayersModel }[],
  student: tfl.LayersModel,
  strategy: StrategySpec,
  epochs: number,
) {
  const distiller = createDistiller({
    teachers: experimentTeachers,
    student: { model: student },
    strategies: [{ key: 'task.ce', weight: 0.5 }, strategy],
    training: { epochs, batchSize: 32, seed: 9, optimizer: { name: 'adam', learningRate: 0.01 } },
    plugins: [multiTeacherPlugin],
    backend: 'cpu',
    logger: silentLogger,
  });
  const tensorsAtEpochEnd: number[] = [];
  distiller.on('epochEnd', () => {
    tensorsAtEpochEnd.push(tf.memory().numTensors);
  });
  const history: EpochMetrics[] = await distiller.fit(train, { validation: heldOut });
  const diagnostics = distiller.diagnostics;
  distiller.dispose();
  student.dispose();

  expect(tensorsAtEpochEnd).toHaveLength(epochs);
  expect(new Set(tensorsAtEpochEnd).size).toBe(1);
  for (const { model } of experimentTeachers) expect(weightsOf(model)).toEqual(weightsBefore.get(model));
  const term = history.map((epoch) => epoch.losses[strategy.name ?? strategy.key] as number);
  expect(term.every(Number.isFinite)).toBe(true);
  return { history, term, diagnostics };
}

describe('multi.kd with three heterogeneous teachers, through the container', () => {
  it('trains the teachers above chance (1/4): the MLPs well, the CNN less so (global pooling drops where features are)', async () => {
    const distiller = createDistiller({
      teachers,
      student: { model: fixtureMlp({ inputSize: 64, inputShape: [8, 8, 1], hidden: [4], classes, prefix: 'probe' }) },
      strategies: [{ key: 'multi.kd' }],
      plugins: [multiTeacherPlugin],
      backend: 'cpu',
      logger: silentLogger,
    });
    const diagnostics = await distiller.diagnoseTeachers(heldOut);
    distiller.dispose();
    expect(diagnostics.teachers.mlp?.accuracy).toBeGreaterThan(0.8);
    expect(diagnostics.teachers.wide?.accuracy).toBeGreaterThan(0.8);
    expect(diagnostics.teachers.cnn?.accuracy).toBeGreaterThan(0.35);
  });

  for (const policy of builtInPolicies.keys()) {
    it(`distils under '${policy}': the term falls, and the diagnostics report the ensemble under the term's name`, async () => {
      const name = `multi.kd.${policy}`;
      const student = fixtureMlp({ inputSize: 64, inputShape: [8, 8, 1], hidden: [16], classes, prefix: 'student', seed: 40 });
      const options = { policy, temperature: 4, ...(policy === 'weighted' ? { weights: [1, 2, 1] } : {}) };
      const { history, term, diagnostics } = await distil(teachers, student, { key: 'multi.kd', name, weight: 1, options }, 3);

      expect(term[term.length - 1]).toBeLessThan(term[0] as number);
      expect(history[history.length - 1]?.validation?.accuracy).toBeGreaterThan(0.7);

      expect(diagnostics?.examples).toBe(heldOut.size);
      expect(Object.keys(diagnostics?.teachers ?? {}).sort()).toEqual(['cnn', 'mlp', 'wide']);
      for (const a of ['mlp', 'cnn', 'wide']) {
        expect(diagnostics?.teachers[a]?.accuracy).toBeGreaterThan(0.35);
        expect(diagnostics?.agreement[a]?.[a]).toBe(1);
        for (const b of ['mlp', 'cnn', 'wide']) {
          const agreement = diagnostics?.agreement[a]?.[b] as number;
          expect(agreement).toBe(diagnostics?.agreement[b]?.[a]);
          expect(agreement).toBeGreaterThan(0.25);
        }
      }
      expect(Object.keys(diagnostics?.ensembles ?? {}).sort()).toEqual(['mean-probs', name].sort());
      expect(diagnostics?.ensembles[name]).toBeGreaterThan(0.8);
    });
  }
});

describe('multi.hint and multi.attention end to end', () => {
  it('multi.hint: a CNN student learns from a CNN’s map and an MLP’s hidden layer, through adapters; the hint falls', async () => {
    const student = fixtureCnn({ inputShape: [8, 8, 1], channels: [4, 8], classes, prefix: 'student', seed: 41 });
    const { term } = await distil(
      teachers,
      student,
      {
        key: 'multi.hint',
        weight: 1,
        options: {
          policy: 'confidence',
          pairs: [
            // [B, 4, 4, 8] → [B, 4, 4, 16]: a 1×1 conv adapter; [B, 8] → [B, 24]: a dense one.
            { teacher: 'cnn', student: 'student_conv2', teacherLayer: 'cnn_conv2' },
            { teacher: 'mlp', student: 'student_gap', teacherLayer: 'mlp_hidden1' },
          ],
        },
      },
      4,
    );
    expect(term[term.length - 1]).toBeLessThan((term[0] as number) * 0.8);
  });

  it('multi.attention: a CNN student matches two CNNs’ attention maps, weighted per example; the term falls', async () => {
    const student = fixtureCnn({ inputShape: [8, 8, 1], channels: [4, 8], classes, prefix: 'student', seed: 42 });
    const cnnTeachers = [teachers[1] as { name: string; model: tfl.LayersModel }, { name: 'cnn2', model: otherCnn }];
    const { term } = await distil(
      cnnTeachers,
      student,
      {
        key: 'multi.attention',
        weight: 1,
        options: {
          policy: 'entropy',
          pairs: [
            { teacher: 'cnn', student: 'student_conv1', teacherLayer: 'cnn_conv1' },
            { teacher: 'cnn', student: 'student_conv2', teacherLayer: 'cnn_conv2' },
            { teacher: 'cnn2', student: 'student_conv2', teacherLayer: 'cnn2_conv2' },
          ],
        },
      },
      4,
    );
    expect(term[term.length - 1]).toBeLessThan((term[0] as number) * 0.8);
  });
});
