import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeRows } from './writeRows.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('writeRows', () => {
  it('replaces the rows at the indices and keeps every other row bit for bit', async () => {
    // Values with long binary expansions, so a kept row that went through any rounding would show.
    const table = Array.from({ length: 5 }, (_, i) => [Math.fround(0.1 * (i + 1)), Math.fround(-1 / (i + 3))]);
    const result = await expectNoLeaks(() =>
      tf.tidy(() => {
        const rows = tf.tensor2d([
          [7.25, -0.3],
          [1e-8, 3],
        ]);
        return Array.from(writeRows(tf.tensor2d(table), Int32Array.from([3, 0]), rows).dataSync());
      }),
    );
    const [row1, row2, row4] = [table[1], table[2], table[4]] as [number[], number[], number[]];
    const expected = [Math.fround(1e-8), 3, ...row1, ...row2, 7.25, Math.fround(-0.3), ...row4];
    expect(result).toEqual(expected);
  });

  it('returns the table unchanged for an empty batch', async () => {
    const result = await expectNoLeaks(() =>
      tf.tidy(() => Array.from(writeRows(tf.tensor2d([[1, 2]]), new Int32Array(0), tf.zeros([0, 2]) as tf.Tensor2D).dataSync())),
    );
    expect(result).toEqual([1, 2]);
  });
});
