import '@tensorflow/tfjs-backend-cpu';
import { createDistiller, type ExperimentSpec, TensorDataset } from '@distillery/core';
import { featurePlugin } from '@distillery/plugin-feature';
import { responsePlugin } from '@distillery/plugin-response';
import { fixtureMlp, syntheticClassification } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const quiet = { info() {}, warn() {} };
const classes = 4;
let train: TensorDataset;
let heldOut: TensorDataset;
let wide: tfl.LayersModel;
let deep: tfl.LayersModel;

/** One problem, split: the first 480 examples train, the last 160 are held out. */
function splitProblem(): [TensorDataset, TensorDataset] {
  const all = syntheticClassification({ examples: 640, features: 12, classes, noise: 0.9, seed: 21 });
  const [batch] = all.batches({ batchSize: 640, shuffle: false, seed: 0, epoch: 0 });
  const inputs = batch?.inputs as tf.Tensor;
  const labels = batch?.labels as tf.Tensor;
  const parts: [TensorDataset, TensorDataset] = [
    new TensorDataset(tf.slice(inputs, 0, 480), tf.slice(labels, 0, 480)),
    new TensorDataset(tf.slice(inputs, 480), tf.slice(labels, 480)),
  ];
  tf.dispose([inputs, labels]);
  all.dispose();
  return parts;
}

async function trainTeacher(model: tfl.LayersModel): Promise<void> {
  const distiller = createDistiller({
    student: { name: model.name, model },
    strategies: [{ key: 'task.ce' }],
    training: { epochs: 8, batchSize: 32, seed: 2, optimizer: { name: 'adam', learningRate: 0.01 } },
    backend: 'cpu',
    logger: quiet,
  });
  await distiller.fit(train);
  distiller.dispose();
}

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
    logger: quiet,
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  [train, heldOut] = splitProblem();
  wide = fixtureMlp({ inputSize: 12, hidden: [64], classes, prefix: 'wide', seed: 31 });
  deep = fixtureMlp({ inputSize: 12, hidden: [32, 24, 16], classes, prefix: 'deep', seed: 32 });
  await trainTeacher(wide);
  await trainTeacher(deep);
});

afterAll(() => {
  train.dispose();
  heldOut.dispose();
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
