import '@tensorflow/tfjs-backend-cpu';
import { createDistiller, type Dataset, shuffledIndices, TensorDataset } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { combineTeachers, multiTeacherPlugin } from '@distillery/plugin-multi-teacher';
import { fixtureMlp, silentLogger, trainOnLabels, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const classes = 4;
let train: IndexedDataset;
let heldOut: IndexedDataset;
let teachers: { name: string; model: tfl.LayersModel }[];

/** `data` with its labels permuted across examples (Zhang et al. 2017's random labels): nothing left to learn but noise. */
function withShuffledLabels(data: Dataset, seed: number): TensorDataset {
  const [batch] = data.batches({ batchSize: data.size, shuffle: false, seed: 0, epoch: 0 });
  if (batch === undefined) throw new Error('empty dataset');
  const order = tf.tensor1d(shuffledIndices(data.size, seed, 0), 'int32');
  const labels = tf.gather(batch.labels, order);
  tf.dispose([order, batch.labels]);
  return new TensorDataset(batch.inputs, labels);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  const data = new IndexedDataset(gaussianClusters({ examples: 400, features: 16, classes, noise: 2, seed: 5 }));
  [train, heldOut] = [data.take(200), data.slice(200)];
  const good = fixtureMlp({ inputSize: 16, hidden: [32], classes, prefix: 'good', seed: 1 });
  const alsoGood = fixtureMlp({ inputSize: 16, hidden: [48], classes, prefix: 'also_good', seed: 2 });
  const bad = fixtureMlp({ inputSize: 16, hidden: [256], classes, prefix: 'bad', seed: 3 });
  // The good teachers train briefly, so their softened outputs stay soft; the bad one memorises random labels for
  // long, so it is confidently wrong even at T = 4. Averaging probabilities then hands the student much of its noise.
  await trainOnLabels(good, train, { epochs: 3, seed: 1 });
  await trainOnLabels(alsoGood, train, { epochs: 3, seed: 2 });
  const noise = withShuffledLabels(train, 9);
  await trainOnLabels(bad, noise, { epochs: 80, seed: 3 });
  noise.dispose();
  teachers = [
    { name: 'good', model: good },
    { name: 'also_good', model: alsoGood },
    { name: 'bad', model: bad },
  ];
});

afterAll(() => {
  for (const { model } of teachers) model.dispose();
});

/** Held-out accuracy of a fresh student (same init for a given seed) distilled from the three teachers under `policy`. */
async function distilledAccuracy(policy: string, seed: number): Promise<number> {
  const student = fixtureMlp({ inputSize: 16, hidden: [64], classes, prefix: 'student', seed: 100 + seed });
  const before = teachers.map(({ model }) => weightsOf(model));
  const distiller = createDistiller({
    teachers,
    student: { model: student },
    strategies: [{ key: 'multi.kd', weight: 1, options: { policy, temperature: 4 } }],
    training: { epochs: 20, batchSize: 32, seed, optimizer: { name: 'adam', learningRate: 0.01 } },
    plugins: [multiTeacherPlugin],
    backend: 'cpu',
    logger: silentLogger,
  });
  const tensorsAtEpochEnd: number[] = [];
  distiller.on('epochEnd', () => {
    tensorsAtEpochEnd.push(tf.memory().numTensors);
  });
  const history = await distiller.fit(train, { validation: heldOut, diagnoseTeachers: false });
  distiller.dispose();
  student.dispose();
  expect(new Set(tensorsAtEpochEnd).size).toBe(1);
  expect(teachers.map(({ model }) => weightsOf(model))).toEqual(before);
  const terms = history.map((epoch) => epoch.losses['multi.kd'] as number);
  expect(terms[terms.length - 1]).toBeLessThan(terms[0] as number);
  return history[history.length - 1]?.validation?.accuracy as number;
}

describe('confidence-aware weighting (CA-MKD) against the mean of probabilities, with one bad teacher', () => {
  it('gives the bad teacher a lower mean weight on held-out data than either good teacher', async () => {
    const [batch] = heldOut.batches({ batchSize: heldOut.size, shuffle: false, seed: 0, epoch: 0 });
    if (batch === undefined) throw new Error('empty dataset');
    const meanWeights = tf.tidy(() => {
      const logits = teachers.map(({ model }) => model.predict(batch.inputs) as tf.Tensor);
      const { weights } = combineTeachers(logits, batch.labels, { policy: 'confidence', temperature: 4 });
      return tf.mean(weights, 0);
    });
    const [good, alsoGood, bad] = Array.from(await meanWeights.data()) as [number, number, number];
    tf.dispose([meanWeights, batch.inputs, batch.labels]);

    expect(good + alsoGood + bad).toBeCloseTo(1, 5);
    // Each weight is (1 − share) / 2 with shares summing to 1, so a teacher never drops below 0 nor rises above 1/2.
    expect(bad).toBeLessThan(good);
    expect(bad).toBeLessThan(alsoGood);
    expect(bad).toBeLessThan(0.25);
  });

  it('distils a better student than mean-probs from the same init: on average over three seeds, and never worse', async () => {
    const gaps: number[] = [];
    for (const seed of [1, 2, 3]) {
      const confidence = await distilledAccuracy('confidence', seed);
      const meanProbs = await distilledAccuracy('mean-probs', seed);
      expect(confidence).toBeGreaterThanOrEqual(meanProbs);
      gaps.push(confidence - meanProbs);
    }
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeGreaterThan(0.04);
  });
});
