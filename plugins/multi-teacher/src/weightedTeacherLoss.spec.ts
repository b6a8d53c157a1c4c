import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { weightedTeacherLoss } from './weightedTeacherLoss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('weightedTeacherLoss', () => {
  it('is (1/B) Σ_b Σ_k w_bk L_bk, worked by hand', async () => {
    // L_A = [2, 4], L_B = [6, 8]; w = [[0.5, 0.5], [0.25, 0.75]].
    // Example 1: 0.5·2 + 0.5·6 = 4; example 2: 0.25·4 + 0.75·8 = 7; mean 5.5.
    const value = await expectNoLeaks(async () => {
      const loss = tf.tidy(() =>
        weightedTeacherLoss(
          [tf.tensor1d([2, 4]), tf.tensor1d([6, 8])],
          tf.tensor2d([
            [0.5, 0.5],
            [0.25, 0.75],
          ]),
        ),
      );
      const [result] = await loss.data();
      loss.dispose();
      return result;
    });
    expect(value).toBeCloseTo(5.5, 6);
  });

  it('rejects weights that do not match the teachers, and losses that are not one per example', () => {
    expect(() => weightedTeacherLoss([tf.zeros([2])], tf.zeros([2, 2]))).toThrow(
      "weightedTeacherLoss: weights [2, 2] do not match 1 teachers' losses; expected [B, 1]",
    );
    expect(() => weightedTeacherLoss([tf.zeros([3])], tf.zeros([2, 1]))).toThrow(
      "weightedTeacherLoss: teacher 0's losses [3] are not one per example; expected [2]",
    );
  });
});
