import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks, fixtureMlp } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TensorDataset } from '../data/TensorDataset.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import { evaluateEnsemble } from './evaluateEnsemble.js';
import { evaluateEnsembleLogits } from './evaluateEnsembleLogits.js';
import { inferLogits } from './inferLogits.js';

const models = [1, 2, 3].map((seed) => fixtureMlp({ inputSize: 4, hidden: [5], classes: 3, prefix: `m${seed}`, seed }));
let inputs: tf.Tensor2D;
let data: TensorDataset;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // 300 examples: two full batches of 128 and a short one of 44.
  inputs = tf.randomNormal([300, 4], 0, 2, 'float32', 7);
  data = new TensorDataset(
    inputs,
    tf.tensor1d(
      Array.from({ length: 300 }, (_, i) => i % 3),
      'int32',
    ),
  );
});

afterAll(() => {
  data.dispose();
  for (const model of models) model.dispose();
});

describe('logits kept from a pass over a dataset', () => {
  it('are the model’s own outputs, in order, with the labels', async () => {
    const model = models[0] as (typeof models)[number];
    const { logits, labels, classes } = await inferLogits(model, data);
    expect(classes).toBe(3);
    expect(Array.from(labels.subarray(0, 5))).toEqual([0, 1, 2, 0, 1]);
    const direct = tf.tidy(() => (model.predict(inputs) as tf.Tensor).dataSync());
    expect(Array.from(logits)).toEqual(Array.from(direct));
  });

  it('give exactly evaluateEnsemble’s accuracy and loss, for one model and for three', async () => {
    const kept = [];
    for (const model of models) kept.push(await inferLogits(model, data));
    for (const members of [models.slice(0, 1), models]) {
      const fromPass = await evaluateEnsemble(members, data);
      const fromLogits = evaluateEnsembleLogits(kept.slice(0, members.length));
      expect(fromLogits).toEqual(fromPass);
      expect(fromLogits.examples).toBe(300);
    }
  });

  it('refuse members of different datasets or class counts, and leak no tensor', async () => {
    const kept = await inferLogits(models[0] as (typeof models)[number], data);
    const shorter = { ...kept, labels: kept.labels.subarray(0, 299), logits: kept.logits.subarray(0, 299 * 3) };
    expect(() => evaluateEnsembleLogits([kept, shorter])).toThrow(DistilleryError);
    expect(() => evaluateEnsembleLogits([kept, shorter])).toThrow('members[1]: 299 examples of 3 classes, members[0] 300 of 3');
    expect(() => evaluateEnsembleLogits([])).toThrow('members: expected the logits of at least one model');
    await expectNoLeaks(async () => {
      evaluateEnsembleLogits([kept, kept]);
      await inferLogits(models[1] as (typeof models)[number], data);
    });
  });
});
