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

/** One 2×2 RGB image of bytes, pixel by pixel: (0, 128, 255) (10, 20, 30) / (255, 255, 255) (51, 102, 153). */
const imageBytes = [0, 128, 255, 10, 20, 30, 255, 255, 255, 51, 102, 153];
const byHand = { mean: [10, 20, 30], std: [5, 2, 1] };
const rgbStore = (inputs: Uint8Array | Float32Array, normalization = byHand) =>
  new ExampleStore({ id: 'rgb', inputs, exampleShape: [2, 2, 3], labels: Int32Array.from([1]), numClasses: 2, normalization });

describe('ExampleStore with uint8 inputs and a per-channel normalisation', () => {
  it('keeps the bytes and hands out float32 values normalised over the last axis', () => {
    const bytes = Uint8Array.from(imageBytes);
    const store = rgbStore(bytes);
    expect(store.inputs).toBe(bytes);
    // (v − mean_c) / std_c: (0 − 10)/5, (128 − 20)/2, (255 − 30)/1, then (10 − 10)/5, (20 − 20)/2, …
    expect(Array.from(store.valuesOf(Int32Array.from([0])))).toEqual(
      [-2, 54, 225, 0, 0, 0, 49, 117.5, 225, 8.2, 41, 123].map(Math.fround),
    );
    expect(store.valuesOf(Int32Array.from([0]))).toBeInstanceOf(Float32Array);
  });

  it('gives the same values from bytes as from the same pixels in float32', () => {
    const fromBytes = rgbStore(Uint8Array.from(imageBytes));
    const fromFloats = rgbStore(Float32Array.from(imageBytes));
    expect(fromBytes.valuesOf(Int32Array.from([0]))).toEqual(fromFloats.valuesOf(Int32Array.from([0])));
  });

  it('reads raw values, converted to float32, before normalisation', () => {
    expect(Array.from(rgbStore(Uint8Array.from(imageBytes)).rawValuesOf(Int32Array.from([0])))).toEqual(imageBytes);
  });

  it('reads examples in the order asked, repeats included', () => {
    const store = new ExampleStore({
      id: 'bytes',
      inputs: Uint8Array.from([1, 2, 3, 4, 5, 6]),
      exampleShape: [2],
      labels: Int32Array.from([0, 0, 0]),
      numClasses: 1,
    });
    expect(Array.from(store.valuesOf(Int32Array.from([2, 0, 1, 2])))).toEqual([5, 6, 1, 2, 3, 4, 5, 6]);
    expect(errorOf(() => store.valuesOf(Int32Array.from([3]))).message).toBe('ExampleStore bytes: index 3 is outside [0, 3)');
  });

  it('changes its id with the normalisation, so fingerprints and caches tell the data apart', () => {
    const plain = new ExampleStore({
      ...valid(),
      id: 'rgb',
      exampleShape: [1, 1, 2],
      inputs: Float32Array.from([1, 2, 3, 4, 5, 6]),
    });
    expect(plain.id).toBe('rgb');
    const normalised = plain.withNormalization({ mean: [1, 2.5], std: [3, 4] });
    expect(normalised.id).toBe('rgb+normalize(mean 1,2.5; std 3,4)');
    expect(normalised.inputs).toBe(plain.inputs);
    expect(plain.withNormalization({ mean: [1, 2.5000001], std: [3, 4] }).id).not.toBe(normalised.id);
    expect(normalised.withNormalization(undefined).id).toBe('rgb');
    expect(Array.from(normalised.valuesOf(Int32Array.from([1])))).toEqual([(3 - 1) / 3, (4 - 2.5) / 4].map(Math.fround));
  });

  it('takes other labels over the same inputs, naming them in the id before the normalisation', () => {
    const normalised = new ExampleStore({ ...valid(), exampleShape: [1, 2], normalization: { mean: [1, 0], std: [2, 1] } });
    const relabelled = normalised.withLabels(Int32Array.from([1, 1, 0]), 'flipped');
    expect(relabelled.id).toBe('three+flipped+normalize(mean 1,0; std 2,1)');
    expect(relabelled.inputs).toBe(normalised.inputs);
    expect(Array.from(relabelled.labels)).toEqual([1, 1, 0]);
    expect(Array.from(normalised.labels)).toEqual([0, 1, 0]);
    expect(relabelled.withNormalization(undefined).labels).toBe(relabelled.labels);
    expect(errorOf(() => normalised.withLabels(Int32Array.from([1]), 'short')).message).toBe(
      'ExampleStore three+normalize(mean 1,0; std 2,1): 1 new labels for 3 examples',
    );
    expect(errorOf(() => normalised.withLabels(Int32Array.from([0, 2, 0]), 'bad')).message).toBe(
      'ExampleStore three+bad: label 2 of example 1 is not a class index in [0, 2)',
    );
  });

  it('refuses a normalisation that does not fit the channels or divides by zero', () => {
    const bytes = Uint8Array.from(imageBytes);
    expect(errorOf(() => rgbStore(bytes, { mean: [0], std: [1] })).message).toBe(
      'ExampleStore rgb: normalization needs one mean and one std per channel (3, the last axis), got 1 and 1',
    );
    expect(errorOf(() => rgbStore(bytes, { mean: [0, 0, 0], std: [1, 0, 1] })).message).toBe(
      'ExampleStore rgb: normalization.std[1] must be positive, got 0',
    );
    expect(errorOf(() => rgbStore(bytes, { mean: [0, Number.NaN, 0], std: [1, 1, 1] })).message).toBe(
      'ExampleStore rgb: normalization.mean[1] must be finite, got NaN',
    );
  });

  it('refuses inputs that are neither float32 nor bytes', () => {
    const error = errorOf(() => new ExampleStore({ ...valid(), inputs: Float64Array.from([1, 2, 3, 4, 5, 6]) as never }));
    expect(error.message).toBe('ExampleStore three: inputs must be a Float32Array or a Uint8Array');
  });
});
