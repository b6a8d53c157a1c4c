import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExampleStore } from './ExampleStore.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

const valid = () => ({
  id: 'three',
  inputs: Float32Array.from([1, 2, 3, 4, 5, 6]),
  exampleShape: [2],
  labels: Int32Array.from([0, 1, 0]),
  numClasses: 2,
});

describe('ExampleStore', () => {
  it('keeps the arrays it is given, without copying them', () => {
    const options = valid();
    const store = new ExampleStore(options);
    expect(store.inputs).toBe(options.inputs);
    expect(store.labels).toBe(options.labels);
    expect(store.size).toBe(3);
    expect(store.exampleSize).toBe(2);
    expect(store.exampleShape).toEqual([2]);
  });

  it('names its classes by index unless told their names', () => {
    expect(new ExampleStore(valid()).classNames).toEqual(['0', '1']);
    expect(new ExampleStore({ ...valid(), classNames: ['cat', 'dog'] }).classNames).toEqual(['cat', 'dog']);
  });

  it('refuses inputs whose length does not match the labels and example shape', () => {
    const error = errorOf(() => new ExampleStore({ ...valid(), exampleShape: [4] }));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe('ExampleStore three: 3 labels need 3×4 = 12 input values, got 6');
  });

  it('refuses a label outside [0, numClasses)', () => {
    expect(errorOf(() => new ExampleStore({ ...valid(), labels: Int32Array.from([0, 2, 0]) })).message).toBe(
      'ExampleStore three: label 2 of example 1 is not a class index in [0, 2)',
    );
    expect(errorOf(() => new ExampleStore({ ...valid(), labels: Int32Array.from([0, -1, 0]) })).message).toBe(
      'ExampleStore three: label -1 of example 1 is not a class index in [0, 2)',
    );
  });

  it('refuses an empty id, a bad shape, a bad class count and mismatched names', () => {
    expect(errorOf(() => new ExampleStore({ ...valid(), id: '' })).message).toBe('ExampleStore: id must not be empty');
    expect(errorOf(() => new ExampleStore({ ...valid(), exampleShape: [] })).message).toBe(
      'ExampleStore three: exampleShape must be positive integers, got []',
    );
    expect(errorOf(() => new ExampleStore({ ...valid(), numClasses: 0 })).message).toBe(
      'ExampleStore three: numClasses must be a positive integer, got 0',
    );
    expect(errorOf(() => new ExampleStore({ ...valid(), classNames: ['a'] })).message).toBe(
      'ExampleStore three: 1 class names for 2 classes',
    );
    expect(errorOf(() => new ExampleStore({ ...valid(), featureNames: ['a', 'b', 'c'] })).message).toBe(
      'ExampleStore three: 3 feature names for 2 input values',
    );
  });
});
