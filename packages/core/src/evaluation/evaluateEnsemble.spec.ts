import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TensorDataset } from '../data/TensorDataset.js';
import { DistilleryError } from '../errors/DistilleryError.js';
import { evaluateEnsemble } from './evaluateEnsemble.js';

/** A one-layer model computing x · kernel + bias over 2 features. */
function linearModel(kernel: number[][], bias: number[], activation: 'linear' | 'softmax' = 'linear'): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ units: bias.length, inputShape: [2], activation })],
  });
  model.setWeights([tf.tensor2d(kernel), tf.tensor1d(bias)]);
  return model;
}

let identity: tfl.LayersModel;
let constant: tfl.LayersModel;
let data: TensorDataset;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // Model 0 passes its input through as logits; model 1 always outputs [0, ln 3], i.e. probabilities [1/4, 3/4].
  identity = linearModel(
    [
      [1, 0],
      [0, 1],
    ],
    [0, 0],
  );
  constant = linearModel(
    [
      [0, 0],
      [0, 0],
    ],
    [0, Math.log(3)],
  );
  data = new TensorDataset(
    tf.tensor2d([
      [0, Math.log(3)],
      [Math.log(7), 0],
      [0, 0],
    ]),
    tf.tensor1d([1, 0, 0], 'int32'),
  );
});

afterAll(() => {
  identity.dispose();
  constant.dispose();
  data.dispose();
});

describe('evaluateEnsemble', () => {
  it('scores the mean of the two models’ softmax outputs on three examples', async () => {
    // example  model 0 p      model 1 p     mean p̄          label  arg-max  −log p̄_y
    // 1        [1/4, 3/4]     [1/4, 3/4]    [1/4, 3/4]      1      1 ✓      −ln(3/4)
    // 2        [7/8, 1/8]     [1/4, 3/4]    [9/16, 7/16]    0      0 ✓      −ln(9/16)
    // 3        [1/2, 1/2]     [1/4, 3/4]    [3/8, 5/8]      0      1 ✗      −ln(3/8)
    const result = await expectNoLeaks(() => evaluateEnsemble([identity, constant], data, { batchSize: 2 }));
    expect(result.accuracy).toBeCloseTo(2 / 3, 6);
    expect(result.loss).toBeCloseTo(-(Math.log(3 / 4) + Math.log(9 / 16) + Math.log(3 / 8)) / 3, 5);
    expect(result.examples).toBe(3);
  });

  it('scores a single model on its own', async () => {
    // Model 1 alone predicts class 1 everywhere: right on example 1 only; −(ln 3/4 + ln 1/4 + ln 1/4) / 3.
    const result = await expectNoLeaks(() => evaluateEnsemble([constant], data));
    expect(result.accuracy).toBeCloseTo(1 / 3, 6);
    expect(result.loss).toBeCloseTo(-(Math.log(3 / 4) + 2 * Math.log(1 / 4)) / 3, 5);
  });

  it('reads a model that ends in a softmax as log(p), as the kernel does', async () => {
    const softmaxIdentity = linearModel(
      [
        [1, 0],
        [0, 1],
      ],
      [0, 0],
      'softmax',
    );
    const result = await expectNoLeaks(() => evaluateEnsemble([softmaxIdentity, constant], data));
    expect(result.accuracy).toBeCloseTo(2 / 3, 6);
    expect(result.loss).toBeCloseTo(-(Math.log(3 / 4) + Math.log(9 / 16) + Math.log(3 / 8)) / 3, 5);
    softmaxIdentity.dispose();
  });

  it('names what is wrong with its arguments', async () => {
    await expect(evaluateEnsemble([], data)).rejects.toThrow(DistilleryError);
    await expect(evaluateEnsemble([], data)).rejects.toThrow('models: expected at least one model');
    await expect(evaluateEnsemble([identity], data, { batchSize: 0 })).rejects.toThrow(
      'batchSize: expected a positive integer, got 0',
    );
    const threeClasses = linearModel(
      [
        [1, 0, 0],
        [0, 1, 0],
      ],
      [0, 0, 0],
    );
    await expect(evaluateEnsemble([identity, threeClasses], data)).rejects.toThrow(
      'models[1] predicts 3 classes but models[0] predicts 2',
    );
    threeClasses.dispose();
  });
});
