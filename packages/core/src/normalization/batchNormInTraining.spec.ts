import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNormTraining } from './BatchNormTraining.js';
import { batchNormInTraining } from './batchNormInTraining.js';
import { installBatchNormTraining } from './installBatchNormTraining.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('batchNormInTraining on a backend without the fused kernel', () => {
  it('normalises over every axis but the last with the batch moments, as tfjs-layers does', () => {
    const x = tf.tensor([1, 10, 3, 20, 5, 60], [3, 2]);
    const { normalized, mean, variance } = batchNormInTraining(x, tf.tensor1d([2, 1]), tf.tensor1d([0.5, 0]), 0);
    // Channel 0: 1, 3, 5 → mean 3, biased variance 8/3; channel 1: 10, 20, 60 → mean 30, variance 1400/3.
    expect(Array.from(mean.dataSync())).toEqual([3, 30]);
    expect(variance.dataSync()[0]).toBeCloseTo(8 / 3, 5);
    expect(variance.dataSync()[1]).toBeCloseTo(1400 / 3, 3);
    const s0 = Math.sqrt(8 / 3);
    const s1 = Math.sqrt(1400 / 3);
    const expected = [0.5 - 4 / s0, -20 / s1, 0.5, -10 / s1, 0.5 + 4 / s0, 30 / s1];
    normalized.dataSync().forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] as number, 5);
    });
    expect(tf.getKernel(BatchNormTraining, 'cpu')).toBeUndefined();
  });

  it('leaves only the tensors it returns', async () => {
    const x = tf.randomNormal([4, 3, 3, 5]);
    const scale = tf.ones([5]) as tf.Tensor1D;
    const offset = tf.zeros([5]) as tf.Tensor1D;
    await expectNoLeaks(() => {
      const { normalized, mean, variance } = batchNormInTraining(x, scale, offset, 1e-3);
      tf.dispose([normalized, mean, variance]);
    });
    tf.dispose([x, scale, offset]);
  });
});

describe('installBatchNormTraining', () => {
  it("changes nothing in tfjs-layers' BatchNormalization where the backend has no fused kernel, and installs once", () => {
    const layer = tfl.layers.batchNormalization({});
    const x = tf.randomNormal([8, 3], 0, 1, 'float32', 1);
    const before = (layer.apply(x, { training: true }) as tf.Tensor).dataSync().slice();
    installBatchNormTraining();
    const installed = layer.call;
    installBatchNormTraining();
    expect(layer.call).toBe(installed);
    expect((layer.apply(x, { training: true }) as tf.Tensor).dataSync()).toEqual(before);
  });
});
