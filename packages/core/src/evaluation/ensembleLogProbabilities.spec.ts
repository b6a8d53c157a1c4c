import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DistilleryError } from '../errors/DistilleryError.js';
import { ensembleLogProbabilities } from './ensembleLogProbabilities.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function values(compute: () => tf.Tensor): Promise<number[][]> {
  return expectNoLeaks(async () => {
    const result = compute();
    const array = (await result.array()) as number[][];
    result.dispose();
    return array;
  });
}

describe('ensembleLogProbabilities', () => {
  it('is the log of the mean of the members’ softmax outputs, not the softmax of their mean logits', async () => {
    // softmax([0, ln 3]) = [1/4, 3/4] and softmax([ln 7, 0]) = [7/8, 1/8]: the mean is [9/16, 7/16].
    // Row 2: softmax([0, 0]) = [1/2, 1/2] and softmax([ln 3, ln 3]) = [1/2, 1/2]: the mean is [1/2, 1/2].
    // The softmax of the mean logits [ln 7 / 2, ln 3 / 2] would be [√7, √3] / (√7 + √3) ≈ [0.604, 0.396] instead.
    const a = tf.tensor2d([
      [0, Math.log(3)],
      [0, 0],
    ]);
    const b = tf.tensor2d([
      [Math.log(7), 0],
      [Math.log(3), Math.log(3)],
    ]);
    const result = await values(() => ensembleLogProbabilities([a, b]));
    const expected = [
      [Math.log(9 / 16), Math.log(7 / 16)],
      [Math.log(1 / 2), Math.log(1 / 2)],
    ];
    result.forEach((row, i) => {
      row.forEach((value, c) => {
        expect(value).toBeCloseTo(expected[i]?.[c] as number, 5);
      });
    });
    tf.dispose([a, b]);
  });

  it('is the log-softmax of a single member', async () => {
    // softmax([1, 2, 3]) = e^[1, 2, 3] / (e + e² + e³)
    const logits = tf.tensor2d([[1, 2, 3]]);
    const [row] = await values(() => ensembleLogProbabilities([logits]));
    const normaliser = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);
    row?.forEach((value, c) => {
      expect(value).toBeCloseTo(c + 1 - normaliser, 5);
    });
    logits.dispose();
  });

  it('stays finite where a member’s probability underflows', async () => {
    // Member 1 puts e^-200 on class 0 (0 in float32); member 2 puts 1/2 there, so log p̄_0 ≈ log(1/4).
    const a = tf.tensor2d([[0, 200]]);
    const b = tf.tensor2d([[0, 0]]);
    const [row] = await values(() => ensembleLogProbabilities([a, b]));
    expect(row?.[0]).toBeCloseTo(Math.log(1 / 4), 5);
    expect(row?.[1]).toBeCloseTo(Math.log(3 / 4), 5);
    tf.dispose([a, b]);
  });

  it('rejects an empty list and members of different shapes, leaking nothing', async () => {
    const a = tf.tensor2d([[0, 1]]);
    const b = tf.tensor2d([[0, 1, 2]]);
    await expectNoLeaks(() => {
      expect(() => ensembleLogProbabilities([])).toThrow(DistilleryError);
      expect(() => ensembleLogProbabilities([a, b])).toThrow(
        'ensembleLogProbabilities: logits 1 [1, 3] and logits 0 [1, 2] differ in shape',
      );
    });
    const vector = tf.tensor1d([0, 1]);
    expect(() => ensembleLogProbabilities([vector as unknown as tf.Tensor2D])).toThrow(
      'ensembleLogProbabilities: expected logits [B, C], got [2]',
    );
    tf.dispose([a, b, vector]);
  });
});
