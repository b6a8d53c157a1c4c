import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeaks } from './expectNoLeaks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('expectNoLeaks', () => {
  it('passes a function that frees what it makes, and returns its value', async () => {
    const value = await expectNoLeaks(() => tf.tidy(() => tf.sum(tf.ones([3])).dataSync()[0]));
    expect(value).toBe(3);
  });

  it('fails a function that leaves a tensor behind, saying how many', async () => {
    const kept: tf.Tensor[] = [];
    await expect(expectNoLeaks(() => kept.push(tf.ones([2]), tf.zeros([1])))).rejects.toThrow(
      /expected no tensor leak, but 2 tensor\(s\) outlived the call/,
    );
    tf.dispose(kept);
  });

  it('does not count what a warm-up run allocates once', async () => {
    let cache: tf.Tensor | undefined;
    const lazilyCached = () => {
      cache ??= tf.ones([4]);
      return cache.shape[0];
    };
    await expect(expectNoLeaks(lazilyCached, { warmUp: true })).resolves.toBe(4);
    cache?.dispose();
  });
});
