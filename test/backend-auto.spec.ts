import { createDistiller } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { loadBackends } from '@distillery/node';
import { fixtureCnn, fixtureMlp } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

/** tfjs-node and the native backend, fastest first, when installed here (the native one builds during npm ci). */
let optional: string[] = [];
beforeAll(async () => {
  optional = await loadBackends();
});
afterEach(async () => {
  await tf.setBackend('cpu');
});

function recordingLogger() {
  const lines: string[] = [];
  return { lines, info: (line: string) => lines.push(line), warn: (line: string) => lines.push(`warning: ${line}`) };
}

describe("the 'auto' backend", () => {
  it('trains an MLP on the fastest installed backend and says why, once', async () => {
    const logger = recordingLogger();
    const data = new IndexedDataset(gaussianClusters({ examples: 64, features: 6, classes: 3, seed: 3 }));
    const distiller = createDistiller({
      student: { model: fixtureMlp({ inputSize: 6, hidden: [8], classes: 3 }) },
      strategies: [{ key: 'task.ce' }],
      training: { epochs: 4, batchSize: 16, optimizer: { name: 'adam', learningRate: 0.02 } },
      logger,
    });
    const history = await distiller.fit(data);
    const expected = optional[0] ?? 'wasm';
    expect(tf.getBackend()).toBe(expected);
    expect(logger.lines.filter((line) => line.startsWith('backend:'))).toEqual([
      expect.stringMatching(
        new RegExp(`^backend: ${expected}, the fastest installed backend with all \\d+ kernels a training step runs`),
      ),
    ]);
    expect(history[3]?.loss).toBeLessThan(history[0]?.loss as number);
    distiller.dispose();
  });

  it('never trains a conv net on wasm, which cannot compute Conv2DBackpropFilter', async () => {
    // An optional backend comes before wasm and has every kernel; without one, cpu is next after wasm.
    const expected = optional[0] ?? 'cpu';
    const logger = recordingLogger();
    const data = new IndexedDataset(gaussianClusters({ examples: 8, features: 16, classes: 2, exampleShape: [4, 4, 1] }));
    const distiller = createDistiller({
      student: { model: fixtureCnn({ inputShape: [4, 4, 1], channels: [2], classes: 2 }) },
      strategies: [{ key: 'task.ce' }],
      training: { epochs: 1, batchSize: 8 },
      logger,
    });
    await distiller.fit(data);
    expect(tf.getBackend()).toBe(expected);
    const line = logger.lines.find((entry) => entry.startsWith('backend:'));
    if (optional.length === 0) expect(line).toMatch(/^backend: cpu, .*wasm has no Conv2DBackpropFilter/);
    else expect(line).toMatch(new RegExp(`^backend: ${expected}, the fastest installed backend with all \\d+ kernels`));
    distiller.dispose();
  });

  it('refuses a named backend that cannot run the experiment', async () => {
    const data = new IndexedDataset(gaussianClusters({ examples: 8, features: 16, classes: 2, exampleShape: [4, 4, 1] }));
    const distiller = createDistiller({
      student: { model: fixtureCnn({ inputShape: [4, 4, 1], channels: [2], classes: 2 }) },
      strategies: [{ key: 'task.ce' }],
      backend: 'wasm',
      logger: recordingLogger(),
    });
    await expect(distiller.fit(data)).rejects.toThrow(
      "backend: 'wasm' cannot train this experiment, it has no kernel for Conv2DBackpropFilter",
    );
    distiller.dispose();
  });
});
