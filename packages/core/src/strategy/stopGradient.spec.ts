import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { stopGradient } from './stopGradient.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('stopGradient', () => {
  it('passes values through and blocks the gradient: d/dx (x² + stop(x²)) = 2x', async () => {
    const [values, gradient] = await expectNoLeaks(() =>
      tf.tidy(() => {
        const x = tf.tensor1d([1, -3]);
        const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.add(tf.square(input), stopGradient(tf.square(input)))))(x);
        return [Array.from(stopGradient(x).dataSync()), Array.from(grad.dataSync())] as const;
      }),
    );
    expect(values).toEqual([1, -3]);
    expect(gradient).toEqual([2, -6]);
  });
});
