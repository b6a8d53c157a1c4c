import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { shuffledIndices } from './shuffledIndices.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const identity = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('shuffledIndices', () => {
  it('is a permutation of 0…n−1', () => {
    for (const [n, seed, epoch] of [
      [0, 0, 0],
      [1, 5, 0],
      [2, 1, 1],
      [57, 42, 3],
      [1000, 7, 9],
    ] as const) {
      const indices = shuffledIndices(n, seed, epoch);
      expect(indices).toBeInstanceOf(Int32Array);
      expect(Array.from(indices).sort((a, b) => a - b)).toEqual(identity(n));
    }
  });

  it('gives the same permutation for the same seed and epoch, and another for another epoch', () => {
    expect(Array.from(shuffledIndices(50, 1, 0))).toEqual(Array.from(shuffledIndices(50, 1, 0)));
    expect(Array.from(shuffledIndices(50, 1, 1))).not.toEqual(Array.from(shuffledIndices(50, 1, 0)));
    expect(Array.from(shuffledIndices(50, 2, 0))).not.toEqual(Array.from(shuffledIndices(50, 1, 0)));
  });

  it('moves examples away from their places', () => {
    // Under a uniform shuffle of 1000, about one element stays put on average; far fewer than half may.
    const indices = shuffledIndices(1000, 0, 0);
    const fixedPoints = Array.from(indices).filter((value, i) => value === i).length;
    expect(fixedPoints).toBeLessThan(20);
  });
});
