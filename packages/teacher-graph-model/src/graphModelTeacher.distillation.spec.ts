import '@tensorflow/tfjs-backend-cpu';
import { createDistiller, type TeacherModel } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { responsePlugin } from '@distillery/plugin-response';
import { fixtureMlp, silentLogger, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from './graphFixtureTestKit.js';
import { graphModelTeacher } from './graphModelTeacher.js';
import type { LoadedGraphModel } from './LoadedGraphModel.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const data = new IndexedDataset(gaussianClusters({ examples: 96, features: 6, classes: 3, seed: 5, noise: 0.6 }));

/**
 * The MLP fixture rebuilt from tfjs-layers Dense layers holding the graph's own weights, each plus `shift`: with no
 * shift, the same function as the graph.
 */
function layersTwinOf(model: LoadedGraphModel, shift = 0): tfl.LayersModel {
  const twin = tfl.sequential({
    name: 'twin',
    layers: [
      tfl.layers.dense({ name: 'twin_hidden', units: 8, activation: 'relu', inputShape: [6] }),
      tfl.layers.dense({ name: 'twin_logits', units: 3 }),
    ],
  });
  const names = ['mlp/hidden/kernel', 'mlp/hidden/bias', 'mlp/logits/kernel', 'mlp/logits/bias'];
  tf.tidy(() => twin.setWeights(names.map((name) => tf.add(model.weights[name]?.[0] as tf.Tensor, shift))));
  return twin;
}

/** The largest absolute difference between two lists of weights. */
function maxDifference(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  expect(a.map((values) => values.length)).toEqual(b.map((values) => values.length));
  return Math.max(
    ...a.flatMap((values, i) => Array.from(values, (value, j) => Math.abs(value - ((b[i] as Float32Array)[j] as number)))),
  );
}

/** Distills a fresh seeded student from `teacher` with task.ce + response.kd for two epochs. */
async function distilled(teacher: TeacherModel) {
  const distiller = createDistiller({
    teachers: [{ name: 'teacher', model: teacher }],
    student: { model: fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: 's', seed: 3 }) },
    strategies: [{ key: 'task.ce' }, { key: 'response.kd', options: { temperature: 4 } }],
    training: { epochs: 2, batchSize: 16, seed: 1, optimizer: { name: 'adam', learningRate: 0.01 } },
    backend: 'cpu',
    logger: silentLogger,
    plugins: [responsePlugin],
  });
  const history = await distiller.fit(data, { validation: data });
  const weights = weightsOf(distiller.student.model);
  distiller.dispose();
  distiller.student.model.dispose();
  return { weights, losses: history.map((epoch) => epoch.losses) };
}

describe('Distilling from a GraphModel teacher', () => {
  it('trains the student as the same network given as a LayersModel does', async () => {
    const model = await loadFixture('mlp-graph');
    const teacher = await graphModelTeacher(model, { inputShape: [6], description: 'GraphModel fixtures/mlp-graph' });
    const twin = layersTwinOf(model);
    const otherTeacher = layersTwinOf(model, 0.3);

    const fromGraph = await distilled(teacher);
    const fromLayers = await distilled(twin);
    const fromOther = await distilled(otherTeacher);

    const losses = fromGraph.losses.flatMap((epoch) => Object.entries(epoch));
    expect(losses.map(([name]) => name)).toEqual(expect.arrayContaining(['task.ce', 'response.kd']));
    expect(losses.every(([, loss]) => Number.isFinite(loss))).toBe(true);
    expect(maxDifference(fromGraph.weights, fromLayers.weights)).toBeLessThan(1e-6);
    // The teacher's logits steer the student: another teacher leaves other weights.
    expect(maxDifference(fromGraph.weights, fromOther.weights)).toBeGreaterThan(1e-3);
    otherTeacher.dispose();
    teacher.dispose();
    twin.dispose();
  });
});
