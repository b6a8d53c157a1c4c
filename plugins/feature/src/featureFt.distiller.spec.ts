import '@tensorflow/tfjs-backend-cpu';
import { createDistiller, type EpochMetrics, TensorDataset } from '@distillery/core';
import { fixtureCnn, silentLogger, weightsOf } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { featurePlugin } from './featurePlugin.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The values of the live variable registered as `name`. */
function valuesOf(name: string): number[] {
  const variable = tf.engine().state.registeredVariables[name];
  if (variable === undefined) throw new Error(`no variable '${name}'`);
  return Array.from(variable.dataSync());
}

describe('feature.ft in an experiment', () => {
  // 15 real training steps: a few seconds on a loaded 2-core machine; the limit only guards against hangs.
  it('trains the student and its translator, leaves the encoder and the teacher untouched, and leaks nothing', {
    timeout: 60_000,
  }, async () => {
    const inputs = tf.randomNormal([48, 8, 8, 1], 0, 1, 'float32', 11);
    const classes = tf.tidy(() => tf.cast(tf.greater(tf.mean(inputs, [1, 2, 3]), 0), 'int32'));
    const data = new TensorDataset(inputs, classes);
    const teacher = fixtureCnn({ inputShape: [8, 8, 1], channels: [8, 16], classes: 2, prefix: 'teacher', seed: 1 });
    const student = fixtureCnn({ inputShape: [8, 8, 1], channels: [4, 6], classes: 2, prefix: 'student', seed: 21 });
    const teacherBefore = weightsOf(teacher);
    // student_conv2 [B, 4, 4, 6] → factors of round(16 · 0.5) = 8 channels, teacher_conv2 [B, 4, 4, 16] → the same.
    const distiller = createDistiller({
      teachers: [{ name: 'cnn', model: teacher }],
      student: { model: student },
      strategies: [
        { key: 'task.ce', weight: 1 },
        { key: 'feature.ft', weight: 100, options: { teacherLayer: 'teacher_conv2', student: 'student_conv2' } },
      ],
      training: { epochs: 5, batchSize: 16, seed: 2, optimizer: { name: 'adam', learningRate: 0.01 } },
      plugins: [featurePlugin],
      backend: 'cpu',
      logger: silentLogger,
    });
    const translator = distiller.strategyVariables();
    expect(translator.map((variable) => variable.name)).toEqual(
      ['conv1', 'conv2', 'conv3'].flatMap((layer) => [
        `feature.ft/translator/${layer}/kernel`,
        `feature.ft/translator/${layer}/bias`,
      ]),
    );
    const encoderNames = ['conv1', 'conv2', 'conv3'].flatMap((layer) => [
      `feature.ft/paraphraser/encoder/${layer}/kernel`,
      `feature.ft/paraphraser/encoder/${layer}/bias`,
    ]);
    const encoderBefore = encoderNames.map(valuesOf);
    const translatorBefore = translator.map((variable) => Array.from(variable.dataSync()));
    const tensorsAtEpochEnd: number[] = [];
    distiller.on('epochEnd', () => {
      tensorsAtEpochEnd.push(tf.memory().numTensors);
    });
    const history: EpochMetrics[] = await distiller.fit(data);

    const transfer = history.map((epoch) => epoch.losses['feature.ft'] as number);
    expect(transfer.every((value) => Number.isFinite(value) && value > 0)).toBe(true);
    expect(transfer[transfer.length - 1]).toBeLessThan(transfer[0] as number);
    // The encoder is state: no optimizer step touched it. Every translator variable moved.
    expect(encoderNames.map(valuesOf)).toEqual(encoderBefore);
    translator.forEach((variable, i) => {
      expect(Array.from(variable.dataSync())).not.toEqual(translatorBefore[i]);
    });
    expect(weightsOf(teacher)).toEqual(teacherBefore);
    expect(tensorsAtEpochEnd).toHaveLength(5);
    expect(new Set(tensorsAtEpochEnd).size).toBe(1);

    distiller.dispose();
    expect(translator.every((variable) => variable.isDisposed)).toBe(true);
    expect(encoderNames.filter((name) => tf.engine().state.registeredVariables[name] !== undefined)).toEqual([]);
    data.dispose();
    teacher.dispose();
    student.dispose();
  });
});
