import '@tensorflow/tfjs-backend-cpu';
import { gaussianClusters, IndexedDataset } from '@distillery/data';
import { expectNoLeaks, fixtureMlp, silentLogger, trainOnLabels } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDistiller } from '../composition/createDistiller.js';
import type { Logger } from '../composition/Logger.js';
import type { Distiller } from '../training/Distiller.js';

/** 3 balanced classes: examples 0, 3, 6, … are class 0, so a model that always says 0 is right on a third. */
const train = new IndexedDataset(gaussianClusters({ examples: 240, features: 6, classes: 3, seed: 4 })).slice(0, 150);
const validation = new IndexedDataset(gaussianClusters({ examples: 240, features: 6, classes: 3, seed: 4 })).slice(150, 240);

let good: tfl.LayersModel[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  good = [];
  for (const seed of [1, 2, 3]) {
    const model = fixtureMlp({ inputSize: 6, hidden: [8], classes: 3, prefix: `good${seed}`, seed });
    await trainOnLabels(model, train, { epochs: 30 });
    good.push(model);
  }
});

/** Logits all 0: every class equally likely, so it always predicts class 0 with confidence 1/3 (ECE 0). */
function uniformTeacher(): tfl.LayersModel {
  const model = fixtureMlp({ inputSize: 6, hidden: [], classes: 3, prefix: 'uniform' });
  model.setWeights(model.getWeights().map((weight) => tf.zerosLike(weight)));
  return model;
}

function distillerWith(teachers: { name: string; model: tfl.LayersModel }[], logger: Logger = silentLogger): Distiller {
  return createDistiller({
    teachers,
    student: { model: fixtureMlp({ inputSize: 6, hidden: [4], classes: 3, prefix: 'student' }) },
    strategies: [{ key: 'task.ce' }],
    training: { epochs: 1, batchSize: 32, seed: 1 },
    backend: 'cpu',
    logger,
  });
}

/** Accuracy on the validation examples, from the model's own predictions. */
function accuracyOf(model: tfl.LayersModel): number {
  return tf.tidy(() => {
    const inputs = tf.tensor2d(validation.valuesAt(Int32Array.from({ length: 90 }, (_, k) => k)), [90, 6]);
    const predicted = Array.from(tf.argMax(model.predict(inputs) as tf.Tensor, 1).dataSync());
    const labels = validation.labels();
    return predicted.filter((p, k) => p === labels[k]).length / 90;
  });
}

describe('Evaluation.diagnoseTeachers flags', () => {
  it('flags a teacher that guesses beside two trained ones, with its figures, and warns when fit runs', async () => {
    const [first, second] = good as [tfl.LayersModel, tfl.LayersModel];
    const uniform = uniformTeacher();
    const warnings: string[] = [];
    const distiller = distillerWith(
      [
        { name: 'first', model: first },
        { name: 'second', model: second },
        { name: 'uniform', model: uniform },
      ],
      { info() {}, warn: (line) => warnings.push(line) },
    );
    const diagnostics = await expectNoLeaks(() => distiller.diagnoseTeachers(validation));

    const [bestName, bestAccuracy] =
      accuracyOf(first) >= accuracyOf(second) ? ['first', accuracyOf(first)] : ['second', accuracyOf(second)];
    expect(bestAccuracy).toBeGreaterThan(0.8);
    expect(diagnostics.teachers.uniform?.accuracy).toBe(1 / 3);
    // Its confidence is 1/3 in float32, as its accuracy: calibrated, so only the accuracy gap flags it.
    expect(diagnostics.teachers.uniform?.expectedCalibrationError).toBeCloseTo(0, 6);
    const gap = (100 * (bestAccuracy - 1 / 3)).toFixed(1);
    expect(diagnostics.flags).toEqual([
      {
        teacher: 'uniform',
        message: `teacher 'uniform' looks unreliable: accuracy 33.3 % is ${gap} points below '${bestName}' (${(100 * bestAccuracy).toFixed(1)} %); a per-example policy (multi.kd policy confidence or entropy) or leaving it out may help`,
      },
    ]);

    await distiller.fit(train, { validation });
    expect(warnings).toEqual([diagnostics.flags[0]?.message]);
    expect(distiller.diagnostics?.flags).toEqual(diagnostics.flags);
    distiller.dispose();
    uniform.dispose();
  });

  it('flags none of three similarly trained teachers, nor a lone teacher however poor', async () => {
    const alike = distillerWith(good.map((model, k) => ({ name: `good${k + 1}`, model })));
    const diagnostics = await expectNoLeaks(() => alike.diagnoseTeachers(validation));
    for (const teacher of Object.values(diagnostics.teachers)) expect(teacher.accuracy).toBeGreaterThan(0.8);
    expect(diagnostics.flags).toEqual([]);
    alike.dispose();

    const uniform = uniformTeacher();
    const alone = distillerWith([{ name: 'uniform', model: uniform }]);
    expect((await alone.diagnoseTeachers(validation)).flags).toEqual([]);
    alone.dispose();
    uniform.dispose();
  });
});
