import '@tensorflow/tfjs-backend-cpu';
import { createDistiller, type ExperimentSpec } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { featurePlugin } from '@distillery/plugin-feature';
import { responsePlugin } from '@distillery/plugin-response';
import { fixtureMlp, silentLogger, trainOnLabels } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';

const classes = 4;
let train: IndexedDataset;
let heldOut: IndexedDataset;
let wide: tfl.LayersModel;
let deep: tfl.LayersModel;

function experiment(student: tfl.LayersModel): ExperimentSpec {
  return {
    teachers: [
      { name: 'wide', model: wide },
      { name: 'deep', model: deep },
    ],
    student: { model: student },
    strategies: [
      { key: 'response.kd', weight: 0.9, options: { teacher: 'wide', temperature: 4 } },
      {
        key: 'feature.hint',
        weight: 0.5,
        options: { teacher: 'deep', pairs: [{ student: 'student_hidden1', teacher: 'deep_hidden2' }] },
      },
    ],
    training: { epochs: 3, batchSize: 32, seed: 3, optimizer: { name: 'adam', learningRate: 0.01 } },
    plugins: [responsePlugin, featurePlugin],
    backend: 'cpu',
    logger: silentLogger,
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  const data = new IndexedDataset(gaussianClusters({ examples: 640, features: 12, classes, noise: 0.9, seed: 21 }));
  [train, heldOut] = [data.take(480), data.slice(480)];
  wide = fixtureMlp({ inputSize: 12, hidden: [64], classes, prefix: 'wide', seed: 31 });
  deep = fixtureMlp({ inputSize: 12, hidden: [32, 24, 16], classes, prefix: 'deep', seed: 32 });
  await trainOnLabels(wide, train, { epochs: 8, seed: 2 });
  await trainOnLabels(deep, train, { epochs: 8, seed: 2 });
});

describe('an experiment with two teachers and strategies from two plugin packages', () => {
  it('is composed through the container and trains the student well above chance', async () => {
    const student = fixtureMlp({ inputSize: 12, hidden: [10], classes, prefix: 'student', seed: 33 });
    const distiller = createDistiller(experiment(student));
    expect(distiller.termNames).toEqual(['response.kd', 'feature.hint']);
    expect(distiller.strategyVariables().length).toBe(2); // the hint adapter's kernel and bias

    const history = await distiller.fit(train, { validation: heldOut });
    expect(history).toHaveLength(3);
    const [first, , last] = history;
    expect(last?.loss).toBeLessThan((first?.loss as number) * 0.8);
    expect(last?.losses['response.kd']).toBeLessThan(first?.losses['response.kd'] as number);
    expect(last?.losses['feature.hint']).toBeLessThan(first?.losses['feature.hint'] as number);
    // Chance is 1/4; the student learns from soft targets and hints alone, without labels.
    expect(last?.validation?.accuracy).toBeGreaterThan(0.85);
    expect(last?.validation?.agreement.wide).toBeGreaterThan(0.85);
    distiller.dispose();
  });

  it('holds the same number of tensors at the end of every epoch', async () => {
    const student = fixtureMlp({ inputSize: 12, hidden: [10], classes, prefix: 'student', seed: 34 });
    const distiller = createDistiller(experiment(student));
    const counts: number[] = [];
    distiller.on('epochEnd', () => counts.push(tf.memory().numTensors));
    await distiller.fit(train, { validation: heldOut });
    expect(counts).toHaveLength(3);
    expect(counts.every((count) => count === counts[0])).toBe(true);
    const before = tf.memory().numTensors;
    distiller.dispose();
    // The optimizer's slots and the adapter's two variables go with the distiller.
    expect(tf.memory().numTensors).toBeLessThan(before);
  });
});
