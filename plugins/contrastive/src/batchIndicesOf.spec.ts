import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { distillationContext } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchIndicesOf } from './batchIndicesOf.js';

let logits: tf.Tensor2D;
let labels: tf.Tensor1D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  logits = tf.zeros([3, 2]);
  labels = tf.zeros([3], 'int32');
});

afterAll(() => {
  tf.dispose([logits, labels]);
});

const contextWith = (indices?: number[]) => {
  const context = distillationContext({ student: logits, labels });
  return indices === undefined ? context : { ...context, indices: Int32Array.from(indices) };
};

describe('batchIndicesOf', () => {
  it('returns the batch’s indices when they are distinct and inside the training set', () => {
    expect(Array.from(batchIndicesOf(contextWith([5, 0, 9]), 10, 'x.y'))).toEqual([5, 0, 9]);
  });

  it('refuses a batch without indices, with one outside [0, N), or with one twice, each in one line', () => {
    expect(() => batchIndicesOf(contextWith(), 10, 'x.y')).toThrow(DistilleryError);
    expect(() => batchIndicesOf(contextWith(), 10, 'x.y')).toThrow(
      /^x\.y: the dataset gives no example indices \(Batch\.indices\)/,
    );
    expect(() => batchIndicesOf(contextWith([5, 10, 1]), 10, 'x.y')).toThrow(
      "x.y: the batch holds example index 10, outside the training set's [0, 10)",
    );
    expect(() => batchIndicesOf(contextWith([5, -1, 1]), 10, 'x.y')).toThrow('example index -1, outside');
    expect(() => batchIndicesOf(contextWith([5, 1, 5]), 10, 'x.y')).toThrow(
      'x.y: the batch holds example index 5 twice; expected distinct indices',
    );
  });
});
