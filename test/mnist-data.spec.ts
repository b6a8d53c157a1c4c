import '@tensorflow/tfjs-backend-cpu';
import { createDistiller } from '@distillery/core';
import { type IndexedDataset, randomShift, splitTrainValidation } from '@distillery/data';
import { loadMnist } from '@distillery/node';
import { responsePlugin } from '@distillery/plugin-response';
import { fixtureMlp, silentLogger, trainOnLabels, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let train: IndexedDataset;
let validation: IndexedDataset;
let teacher: tfl.Sequential;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const split = splitTrainValidation(await loadMnist({ split: 'train' }), { validation: 5000 });
  // 3000 jittered training digits keep the test fast; the held-out digits are never jittered.
  train = split.train.take(3000).withAugmentation(randomShift({ maxPixels: 2 }));
  validation = split.validation.take(1000);
  teacher = fixtureMlp({ inputSize: 784, inputShape: [28, 28, 1], hidden: [128], classes: 10, seed: 3, prefix: 'teacher' });
  await trainOnLabels(teacher, train, { epochs: 3, batchSize: 64, seed: 2 });
}, 60_000);

afterAll(() => {
  teacher.dispose();
});

describe('MNIST from @distillery/data, distilled end to end', () => {
  it('names the training data by its store, subset and augmentation', () => {
    expect(train.id).toBe('mnist-train[0:55000][0:3000]+randomShift(2)');
    expect(validation.id).toBe('mnist-train[55000:60000][0:1000]');
  });

  it('trains a teacher on jittered digits and distils it, lowering the KD term without leaking', async () => {
    const student = fixtureMlp({
      inputSize: 784,
      inputShape: [28, 28, 1],
      hidden: [32],
      classes: 10,
      seed: 5,
      prefix: 'student',
    });
    const teacherBefore = weightsOf(teacher);
    const distiller = createDistiller({
      teachers: [{ name: 'teacher', model: teacher }],
      student: { model: student },
      strategies: [
        { key: 'task.ce', weight: 0.1 },
        { key: 'response.kd', weight: 0.9, options: { temperature: 4 } },
      ],
      training: { epochs: 4, batchSize: 64, seed: 7, optimizer: { name: 'adam', learningRate: 0.003 } },
      plugins: [responsePlugin],
      backend: 'cpu',
      logger: silentLogger,
    });
    const tensorsAtEpochEnd: number[] = [];
    distiller.on('epochEnd', () => {
      tensorsAtEpochEnd.push(tf.memory().numTensors);
    });
    const history = await distiller.fit(train, { validation });
    // A 784-128-10 MLP trained 3 epochs on 3000 jittered digits reads held-out digits far above chance (10 %).
    expect(distiller.diagnostics?.teachers.teacher?.accuracy).toBeGreaterThan(0.8);
    const kd = history.map((epoch) => epoch.losses['response.kd'] as number);
    expect(kd.at(-1)).toBeLessThan(kd[0] as number);
    expect(history.at(-1)?.validation?.accuracy).toBeGreaterThan(0.75);
    expect(weightsOf(teacher)).toEqual(teacherBefore);
    expect(tensorsAtEpochEnd).toHaveLength(4);
    expect(new Set(tensorsAtEpochEnd).size).toBe(1);
    distiller.dispose();
    student.dispose();
  });
});
