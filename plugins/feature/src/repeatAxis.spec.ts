import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { repeatAxis } from './repeatAxis.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('repeatAxis', () => {
  it('repeats each row, or each column, in place, channels kept together', async () => {
    const result = await expectNoLeaks(async () => {
      // x = [[1, 2], [3, 4]] with two channels (c, −c): rows ×2, then columns ×3 of a 1×2 map.
      const x = tf.tensor4d([1, -1, 2, -2, 3, -3, 4, -4], [1, 2, 2, 2]);
      const pair = tf.tensor4d([5, 6], [1, 1, 2, 1]);
      const rows = repeatAxis(x, 1, 2);
      const columns = repeatAxis(pair, 2, 3);
      const out = { rows: rows.shape, rowValues: Array.from(await rows.data()), columnValues: Array.from(await columns.data()) };
      tf.dispose([x, pair, rows, columns]);
      return out;
    });
    expect(result.rows).toEqual([1, 4, 2, 2]);
    expect(result.rowValues).toEqual([1, -1, 2, -2, 1, -1, 2, -2, 3, -3, 4, -4, 3, -3, 4, -4]);
    expect(result.columnValues).toEqual([5, 5, 5, 6, 6, 6]);
  });

  it('sums the gradient of the copies into their source', async () => {
    // Columns ×3 of [a, b]: d Σ w·y / d[a, b] = [w₀ + w₁ + w₂, w₃ + w₄ + w₅] with w = [1, 10, 100, 2, 20, 200].
    const gradient = await expectNoLeaks(async () => {
      const x = tf.tensor4d([5, 6], [1, 1, 2, 1]);
      const weights = tf.tensor4d([1, 10, 100, 2, 20, 200], [1, 1, 6, 1]);
      const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(repeatAxis(input as tf.Tensor4D, 2, 3), weights)))(x);
      const values = Array.from(await grad.data());
      tf.dispose([x, weights, grad]);
      return values;
    });
    expect(gradient).toEqual([111, 222]);
  });
});
