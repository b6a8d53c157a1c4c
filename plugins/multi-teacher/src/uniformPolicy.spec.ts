import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniformPolicy } from './uniformPolicy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('uniformPolicy', () => {
  it('is the weighting policy uniform', () => {
    expect(uniformPolicy.key).toBe('uniform');
    expect(uniformPolicy.kind).toBe('weights');
    expect(uniformPolicy.target).toBeUndefined();
  });

  it('weights each of K teachers 1/K on every example: [B, K] = [3, 4] of 1/4', async () => {
    const weights = await expectNoLeaks(async () => {
      const teacherLogits = [0, 1, 2, 3].map((k) => tf.fill([3, 5], k) as tf.Tensor2D);
      const labels = tf.tensor1d([0, 1, 2], 'int32');
      const result = uniformPolicy.weights({ teacherLogits, labels, temperature: 4, options: {}, step: 0, seed: 0 });
      const values = await result.array();
      tf.dispose([result, labels, ...teacherLogits]);
      return values;
    });
    expect(weights).toEqual([
      [0.25, 0.25, 0.25, 0.25],
      [0.25, 0.25, 0.25, 0.25],
      [0.25, 0.25, 0.25, 0.25],
    ]);
  });

  it('takes no options', () => {
    expect(uniformPolicy.validateOptions?.({}, 3)).toBeUndefined();
    expect(uniformPolicy.validateOptions?.({ weights: [1, 1, 1] }, 3)?.option).toBe('weights');
  });
});
