import '@tensorflow/tfjs-backend-cpu';
import { fileURLToPath } from 'node:url';
import { createDistiller, StrategyFactory } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { loadPlugin } from '@distillery/node';
import { fixtureMlp, silentLogger } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { Container } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosinePlugin } from './cosinePlugin.js';
import defaultExport from './index.js';

/** This package's directory: what a config's `plugins: ['.']` names when the config sits beside package.json. */
const packageDirectory = fileURLToPath(new URL('..', import.meta.url));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('cosinePlugin', () => {
  it('binds the custom.cosine strategy factory', () => {
    const container = new Container();
    container.load(cosinePlugin);
    expect(container.getAll<StrategyFactory>(StrategyFactory).map((factory) => factory.key)).toEqual(['custom.cosine']);
  });

  it('is the package default export, where loadPlugin looks first', () => {
    expect(defaultExport).toBe(cosinePlugin);
  });

  // Reads dist/ through package.json's exports, as the CLI does: `npm run build` first (turbo's test task depends on build).
  it('loads by path with loadPlugin and trains a student towards its teacher, holding the tensor count steady', async () => {
    const plugin = await loadPlugin('.', packageDirectory);
    const data = new IndexedDataset(gaussianClusters({ examples: 120, features: 8, classes: 3, seed: 11 }));
    const teacher = fixtureMlp({ inputSize: 8, hidden: [16], classes: 3, prefix: 'teacher', seed: 5 });
    const student = fixtureMlp({ inputSize: 8, hidden: [6], classes: 3, prefix: 'student', seed: 6 });
    const distiller = createDistiller({
      teachers: [{ name: 'teacher', model: teacher }],
      student: { model: student },
      strategies: [{ key: 'custom.cosine' }],
      training: { epochs: 5, batchSize: 20, seed: 1, optimizer: { name: 'adam', learningRate: 0.02 } },
      plugins: [plugin],
      backend: 'cpu',
      logger: silentLogger,
    });
    const tensorsAtEpochEnd: number[] = [];
    distiller.on('epochEnd', () => tensorsAtEpochEnd.push(tf.memory().numTensors));
    const history = await distiller.fit(data, { validation: data });
    const first = history[0]?.losses['custom.cosine'] as number;
    const last = history[4]?.losses['custom.cosine'] as number;
    expect(last).toBeLessThan(first * 0.5);
    expect(history[4]?.validation?.agreement.teacher).toBeGreaterThan(history[0]?.validation?.agreement.teacher as number);
    expect(new Set(tensorsAtEpochEnd).size).toBe(1);
    distiller.dispose();
    teacher.dispose();
    student.dispose();
  });

  it('reports a bad option as one line naming the field when the experiment is composed', async () => {
    const plugin = await loadPlugin('.', packageDirectory);
    const teacher = fixtureMlp({ inputSize: 4, hidden: [4], classes: 3, prefix: 'teacher' });
    const student = fixtureMlp({ inputSize: 4, hidden: [4], classes: 3, prefix: 'student' });
    expect(() =>
      createDistiller({
        teachers: [{ name: 'teacher', model: teacher }],
        student: { model: student },
        strategies: [
          { key: 'task.ce', weight: 0.1 },
          { key: 'custom.cosine', options: { epsilon: -1 } },
        ],
        plugins: [plugin],
        backend: 'cpu',
        logger: silentLogger,
      }),
    ).toThrow('strategies[1].options.epsilon: expected a positive number');
    teacher.dispose();
    student.dispose();
  });
});
