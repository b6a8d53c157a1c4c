import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { momentumUpdate } from './momentumUpdate.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function updated(rows: number[][], embeddings: number[][], momentum: number): Promise<number[]> {
  return expectNoLeaks(() =>
    tf.tidy(() => Array.from(momentumUpdate(tf.tensor2d(rows), tf.tensor2d(embeddings), momentum).dataSync())),
  );
}

describe('momentumUpdate', () => {
  it('blends each row with its embedding and puts it back on the unit sphere, worked by hand', async () => {
    // m = 1/2: ½ · [6, 0] + ½ · [0, 8] = [3, 4], norm 5 → [0.6, 0.8];  ½ · [1, 2] + ½ · [−1, 0] = [0, 1] → [0, 1].
    const half = await updated(
      [
        [6, 0],
        [1, 2],
      ],
      [
        [0, 8],
        [-1, 0],
      ],
      0.5,
    );
    expect(half.map((value) => Number(value.toFixed(6)))).toEqual([0.6, 0.8, 0, 1]);
    // m = 3/4: ¾ · [0, 4] + ¼ · [12, 0] = [3, 3] → [1/√2, 1/√2].
    const [x, y] = await updated([[0, 4]], [[12, 0]], 0.75);
    expect(x).toBeCloseTo(Math.SQRT1_2, 6);
    expect(y).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('keeps the old row (normalised) at m = 1 and takes the embedding (normalised) at m = 0', async () => {
    expect((await updated([[0, 2]], [[5, 0]], 1)).map((value) => Number(value.toFixed(6)))).toEqual([0, 1]);
    expect((await updated([[0, 2]], [[5, 0]], 0)).map((value) => Number(value.toFixed(6)))).toEqual([1, 0]);
  });
});
