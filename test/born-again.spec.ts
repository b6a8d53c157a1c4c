import '@tensorflow/tfjs-backend-cpu';
import { type Distiller, runStages } from '@distillery/core';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { generationTeachers, runBornAgain, selfDistillationPlugin } from '@distillery/plugin-self-distillation';
import { fixtureMlp, silentLogger, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';

const features = 12;
const classes = 4;

let train: IndexedDataset;
let validation: IndexedDataset;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const data = new IndexedDataset(gaussianClusters({ examples: 384, features, classes, noise: 1.5, seed: 1 }));
  [train, validation] = [data.take(256), data.slice(256)];
});

/** True when any weight of `model` differs from the snapshot. */
function changedSince(model: tfl.LayersModel, snapshot: Float32Array[]): boolean {
  return weightsOf(model).some((weight, i) => weight.some((value, j) => value !== snapshot[i]?.[j]));
}

describe('born-again networks, trained end to end', () => {
  it('distils three generations, each from the one before, ensembles them and lends them as teachers, leaking nothing', async () => {
    const tensorsAtStart = tf.memory().numTensors;
    const built: tfl.LayersModel[] = [];
    const tensorsAtEpochEnd = new Map<string, number[]>();
    const teacherSnapshots = new Map<string, { model: tfl.LayersModel; weights: Float32Array[] }[]>();
    const teachersChanged: string[] = [];
    const watch = {
      onStageBegin: (stage: string, distiller: Distiller) => {
        const counts: number[] = [];
        tensorsAtEpochEnd.set(stage, counts);
        distiller.on('epochEnd', () => {
          counts.push(tf.memory().numTensors);
        });
        teacherSnapshots.set(
          stage,
          // Born-again teachers are earlier stages' students: LayersModels.
          distiller.teachers.map(({ model }) => ({
            model: model as tfl.LayersModel,
            weights: weightsOf(model as tfl.LayersModel),
          })),
        );
      },
      onStageEnd: ({ name }: { name: string }) => {
        for (const { model, weights } of teacherSnapshots.get(name) ?? []) {
          if (changedSince(model, weights)) teachersChanged.push(`${name}: ${model.name}`);
        }
      },
    };

    const result = await runBornAgain(
      {
        generations: 3,
        buildStudent: (generation) => {
          const model = fixtureMlp({
            inputSize: features,
            hidden: [32],
            classes,
            seed: 100 + 10 * generation,
            prefix: `g${generation}`,
          });
          built.push(model);
          return model;
        },
        teacherTraining: { epochs: 10, batchSize: 32, seed: 3, optimizer: { name: 'adam', learningRate: 0.01 } },
        training: { epochs: 8, batchSize: 32, seed: 5, optimizer: { name: 'adam', learningRate: 0.005 } },
        plugins: [selfDistillationPlugin],
        backend: 'cpu',
        logger: silentLogger,
      },
      { train, validation },
      watch,
    );

    const { generations, ensemble } = result;
    expect(generations.map((generation) => generation.name)).toEqual(['gen0', 'gen1', 'gen2', 'gen3']);
    // Every generation is its own, freshly built model.
    expect(generations.map((generation) => generation.model)).toEqual(built);
    expect(new Set(built).size).toBe(4);
    expect(Object.keys(generations[0]?.history[0]?.losses ?? {})).toEqual(['task.ce']);
    // Each born-again generation learns to match the one before: its KD term more than halves, and on held-out data
    // it picks its teacher's class far more often than the 1 in 4 of an unrelated model.
    generations.slice(1).forEach((generation, k) => {
      const kd = generation.history.map((epoch) => epoch.losses['response.kd'] as number);
      expect(kd.every(Number.isFinite)).toBe(true);
      expect(kd.at(-1), generation.name).toBeLessThan((kd[0] as number) / 2);
      expect(generation.evaluation?.agreement[`gen${k}`], generation.name).toBeGreaterThan(0.75);
    });
    expect(teachersChanged).toEqual([]);
    for (const [stage, counts] of tensorsAtEpochEnd) {
      expect(counts.length, stage).toBeGreaterThan(0);
      expect(new Set(counts).size, stage).toBe(1);
    }

    // The ensemble of all four generations, on the 128 validation examples: well above chance (1/4).
    expect(ensemble.generations).toEqual([0, 1, 2, 3]);
    expect(ensemble.examples).toBe(128);
    expect(ensemble.accuracy).toBeGreaterThan(0.5);
    expect(Number.isFinite(ensemble.loss)).toBe(true);
    for (const generation of generations) expect(generation.evaluation?.accuracy).toBeGreaterThan(0.5);

    // Generations 1 and 2 teach a smaller student in a later staged run, one response.kd term each.
    const teachers = generationTeachers(generations, { generations: [1, 2] });
    const [student] = await runStages(
      {
        stages: [
          {
            name: 'student',
            teachers,
            student: { model: () => fixtureMlp({ inputSize: features, hidden: [8], classes, seed: 7, prefix: 'small' }) },
            strategies: [
              { key: 'task.ce', weight: 0.5 },
              { key: 'response.kd', name: 'kd.gen1', weight: 0.25, options: { teacher: 'gen1', temperature: 2 } },
              { key: 'response.kd', name: 'kd.gen2', weight: 0.25, options: { teacher: 'gen2', temperature: 2 } },
            ],
            training: { epochs: 8, batchSize: 32, seed: 9, optimizer: { name: 'adam', learningRate: 0.01 } },
          },
        ],
        plugins: [selfDistillationPlugin],
        backend: 'cpu',
        logger: silentLogger,
      },
      { train, validation },
      watch,
    );
    if (student === undefined) throw new Error('expected the student stage to run');
    for (const term of ['kd.gen1', 'kd.gen2']) {
      const kd = student.history.map((epoch) => epoch.losses[term] as number);
      expect(kd.at(-1), term).toBeLessThan(kd[0] as number);
    }
    expect(Object.keys(student.diagnostics?.teachers ?? {})).toEqual(['gen1', 'gen2']);
    expect(Object.keys(student.evaluation?.agreement ?? {})).toEqual(['gen1', 'gen2']);
    expect(teachersChanged).toEqual([]);
    expect(new Set(tensorsAtEpochEnd.get('student')).size).toBe(1);

    student.model.dispose();
    for (const generation of generations) generation.model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsAtStart);
  });
});
