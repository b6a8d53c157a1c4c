import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStages, type StagedExperimentSpec } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { FileStageStore } from '@distillery/node';
import { responsePlugin } from '@distillery/plugin-response';
import { fixtureMlp, silentLogger, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let train: IndexedDataset;
let validation: IndexedDataset;
let runDirectory: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const data = new IndexedDataset(gaussianClusters({ examples: 400, features: 10, classes: 4, noise: 1, seed: 6 }));
  [train, validation] = [data.take(300), data.slice(300)];
  runDirectory = await mkdtemp(join(tmpdir(), 'distillery-run-'));
});
afterAll(async () => {
  await rm(runDirectory, { recursive: true, force: true });
});

const training = { epochs: 6, batchSize: 32, seed: 1, optimizer: { name: 'adam' as const, learningRate: 0.01 } };
const kd = [
  { key: 'response.kd', weight: 0.9, options: { temperature: 4 } },
  { key: 'task.ce', weight: 0.1 },
];

/** Teacher-assistant distillation (Mirzadeh et al. 2020): big → medium → small, each step plain KD. */
function teacherAssistantChain(): StagedExperimentSpec {
  return {
    stages: [
      {
        name: 'big',
        student: {
          name: 'big',
          model: () => fixtureMlp({ inputSize: 10, hidden: [64, 64], classes: 4, prefix: 'big', seed: 1 }),
        },
        strategies: [{ key: 'task.ce' }],
        training,
      },
      {
        name: 'assistant',
        teachers: [{ name: 'big', stage: 'big' }],
        student: {
          name: 'assistant',
          model: () => fixtureMlp({ inputSize: 10, hidden: [16], classes: 4, prefix: 'assistant', seed: 2 }),
        },
        strategies: kd,
        training,
      },
      {
        name: 'small',
        teachers: [{ name: 'assistant', stage: 'assistant' }],
        student: { name: 'small', model: () => fixtureMlp({ inputSize: 10, hidden: [4], classes: 4, prefix: 'small', seed: 3 }) },
        strategies: kd,
        training,
      },
    ],
    plugins: [responsePlugin],
    backend: 'cpu',
    logger: silentLogger,
    store: new FileStageStore(runDirectory),
  };
}

describe('a teacher-assistant chain run as stages', () => {
  it('distils big → assistant → small, and a later run reuses every stage saved in the run directory', async () => {
    const first = await runStages(teacherAssistantChain(), { train, validation, id: 'synthetic-6' });
    expect(first.map((stage) => [stage.name, stage.reused])).toEqual([
      ['big', false],
      ['assistant', false],
      ['small', false],
    ]);
    for (const stage of first.slice(1)) {
      const kdTerm = stage.history.map((epoch) => epoch.losses['response.kd'] as number);
      expect(kdTerm.at(-1)).toBeLessThan(kdTerm[0] as number);
      expect(stage.evaluation?.accuracy).toBeGreaterThan(0.5); // chance is 0.25
    }
    expect(first[2]?.diagnostics?.teachers.assistant?.accuracy).toBeCloseTo(first[1]?.evaluation?.accuracy as number, 10);

    const again = await runStages(teacherAssistantChain(), { train, validation, id: 'synthetic-6' });
    expect(again.map((stage) => stage.reused)).toEqual([true, true, true]);
    expect(again.map((stage) => stage.evaluation)).toEqual(first.map((stage) => stage.evaluation));
    expect(weightsOf(again[2]?.model as never)).toEqual(weightsOf(first[2]?.model as never));
    for (const stage of [...first, ...again]) stage.model.dispose();
  });
});
