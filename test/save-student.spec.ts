import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDistiller, type ExperimentSpec } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { loadModel, loadStrategyWeights, saveStudent } from '@distillery/node';
import { featurePlugin } from '@distillery/plugin-feature';
import { fixtureMlp, silentLogger } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

let directory: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'distillery-student-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function experiment(studentSeed: number, hiddenUnits = 5): ExperimentSpec {
  return {
    teachers: [{ name: 'teacher', model: fixtureMlp({ inputSize: 6, hidden: [9], classes: 3, prefix: 'teacher', seed: 1 }) }],
    student: { model: fixtureMlp({ inputSize: 6, hidden: [hiddenUnits], classes: 3, prefix: 'student', seed: studentSeed }) },
    strategies: [
      { key: 'task.ce' },
      { key: 'feature.hint', options: { pairs: [{ student: 'student_hidden1', teacher: 'teacher_hidden1' }] } },
    ],
    training: { epochs: 2, batchSize: 16, seed: 1 },
    plugins: [featurePlugin],
    backend: 'cpu',
    logger: silentLogger,
  };
}

describe('a distilled student saved with saveStudent', () => {
  it('keeps its adapters beside the model, and both load back', async () => {
    const trained = createDistiller(experiment(2));
    const data = new IndexedDataset(gaussianClusters({ examples: 32, features: 6, classes: 3 }));
    await trained.fit(data);
    await saveStudent(trained, directory);

    const model = await loadModel(directory);
    const input = tf.ones([1, 6]);
    expect((model.predict(input) as tf.Tensor).arraySync()).toEqual(
      (trained.student.model.predict(input) as tf.Tensor).arraySync(),
    );

    const manifest = JSON.parse(await readFile(join(directory, 'strategy-weights.json'), 'utf8'));
    expect(manifest.weights.map((spec: { shape: number[] }) => spec.shape)).toEqual([[5, 9], [9]]); // dense adapter 5 → 9

    const fresh = createDistiller(experiment(3));
    expect(await loadStrategyWeights(fresh, directory)).toBe(2);
    const [savedKernel, savedBias] = trained.strategyVariables().map((variable) => variable.arraySync());
    const [restoredKernel, restoredBias] = fresh.strategyVariables().map((variable) => variable.arraySync());
    expect(restoredKernel).toEqual(savedKernel);
    expect(restoredBias).toEqual(savedBias);
    tf.dispose([input]);
    for (const distiller of [trained, fresh]) distiller.dispose();
  });

  it('refuses adapters of another shape and changes nothing', async () => {
    const trained = createDistiller(experiment(2));
    await saveStudent(trained, directory);
    const other = createDistiller(experiment(3, 7));
    const before = other.strategyVariables().map((variable) => variable.arraySync());
    await expect(loadStrategyWeights(other, directory)).rejects.toThrow(/has shape \[5, 9\], expected \[7, 9\]/);
    expect(other.strategyVariables().map((variable) => variable.arraySync())).toEqual(before);
    for (const distiller of [trained, other]) distiller.dispose();
  });

  it('says which file is missing or does not match', async () => {
    const distiller = createDistiller(experiment(2));
    await expect(loadStrategyWeights(distiller, directory)).rejects.toThrow(`strategy weights in ${directory}: not found`);
    await saveStudent(distiller, directory);
    await writeFile(join(directory, 'strategy-weights.bin'), new Uint8Array(8));
    await expect(loadStrategyWeights(distiller, directory)).rejects.toThrow(/strategy-weights\.bin: does not match/);
    distiller.dispose();
  });
});
