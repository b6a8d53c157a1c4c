import '@tensorflow/tfjs-backend-cpu';
import { fileURLToPath } from 'node:url';
import { createDistiller } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { loadPlugin } from '@distillery/node';
import { fixtureMlp, silentLogger } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('a strategy plugin outside packages/ and plugins/', () => {
  it('loads by path and trains the student towards its teacher', async () => {
    const plugin = await loadPlugin('./fixtures/cosine-plugin', fileURLToPath(new URL('.', import.meta.url)));
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
    const history = await distiller.fit(data, { validation: data });
    const first = history[0]?.losses['custom.cosine'] as number;
    const last = history[4]?.losses['custom.cosine'] as number;
    expect(last).toBeLessThan(first * 0.5);
    expect(history[4]?.validation?.agreement.teacher).toBeGreaterThan(history[0]?.validation?.agreement.teacher as number);
    distiller.dispose();
  });
});
