import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { DistilleryError, evaluateEnsemble } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { responsePlugin } from '@distillery/plugin-response';
import { expectNoLeaks, fixtureMlp, silentLogger } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunBornAgainOptions } from './RunBornAgainOptions.js';
import { runBornAgain } from './runBornAgain.js';
import { selfDistillationPlugin } from './selfDistillationPlugin.js';

let train: IndexedDataset;
let validation: IndexedDataset;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const data = new IndexedDataset(gaussianClusters({ examples: 48, features: 4, classes: 3, seed: 2 }));
  [train, validation] = [data.take(32), data.slice(32)];
});

function options(calls: number[], overrides: Partial<RunBornAgainOptions> = {}): RunBornAgainOptions {
  return {
    generations: 1,
    buildStudent: (generation) => {
      calls.push(generation);
      return fixtureMlp({ inputSize: 4, hidden: [5], classes: 3, seed: 7 * generation + 1 });
    },
    training: { epochs: 1, batchSize: 16 },
    backend: 'cpu',
    logger: silentLogger,
    ...overrides,
  };
}

describe('runBornAgain', () => {
  it('trains every generation, evaluates each and their ensemble on the validation set, and binds response.kd once', async () => {
    const calls: number[] = [];
    await expectNoLeaks(async () => {
      // selfDistillationPlugin binds response.kd too: runBornAgain keeps only it, so listing both does not clash.
      const plugins = [responsePlugin, selfDistillationPlugin];
      const result = await runBornAgain(options(calls, { plugins }), { train, validation });
      const models = result.generations.map((generation) => generation.model);
      expect(result.generations.map((generation) => generation.name)).toEqual(['gen0', 'gen1']);
      expect(calls).toEqual([0, 1]);
      for (const generation of result.generations) expect(generation.evaluation?.accuracy).toBeGreaterThanOrEqual(0);
      expect(result.ensemble).toEqual({ ...(await evaluateEnsemble(models, validation)), generations: [0, 1] });
      expect(result.ensemble.examples).toBe(16);
      expect(result.ensemble.generations).toEqual([0, 1]);
      for (const model of models) model.dispose();
    });
  });

  it('averages only ensembleGenerations', async () => {
    const result = await runBornAgain(options([], { generations: 2, ensembleGenerations: [1, 2] }), { train, validation });
    const models = result.generations.map((generation) => generation.model);
    expect(result.ensemble).toEqual({ ...(await evaluateEnsemble(models.slice(1), validation)), generations: [1, 2] });
    for (const model of models) model.dispose();
  });

  it('checks its options and data before building any model', async () => {
    const calls: number[] = [];
    await expect(runBornAgain(options(calls), { train } as never)).rejects.toThrow(
      'data.validation: runBornAgain evaluates every generation and their ensemble on a validation set; give one',
    );
    await expect(runBornAgain(options(calls, { ensembleGenerations: [0, 2] }), { train, validation })).rejects.toThrow(
      'ensembleGenerations[1]: expected an integer in 0 … 1, got 2',
    );
    await expect(runBornAgain(options(calls, { generations: 0 }), { train, validation })).rejects.toThrow(
      new DistilleryError('generations: expected an integer ≥ 1').message,
    );
    expect(calls).toEqual([]);
  });

  it('disposes every model it built when a generation fails', async () => {
    const built: tfl.LayersModel[] = [];
    const failing = options([], {
      generations: 2,
      buildStudent: (generation) => {
        if (generation === 2) throw new Error('out of memory');
        const model = fixtureMlp({ inputSize: 4, hidden: [5], classes: 3, seed: generation + 1 });
        built.push(model);
        return model;
      },
    });
    await expectNoLeaks(async () => {
      await expect(runBornAgain(failing, { train, validation })).rejects.toThrow('out of memory');
    });
    expect(built).toHaveLength(2);
  });
});
