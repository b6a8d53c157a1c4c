import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mnistFromIdx } from './mnistFromIdx.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function idxBytes(typeCode: number, shape: readonly number[], payload: readonly number[]): Uint8Array {
  const header = [0, 0, typeCode, shape.length];
  for (const size of shape) header.push((size >>> 24) & 0xff, (size >>> 16) & 0xff, (size >>> 8) & 0xff, size & 0xff);
  return Uint8Array.from([...header, ...payload]);
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

const pixels = [0, 255, 51, 102, 1, 128, 254, 3];
const twoImages = () => idxBytes(0x08, [2, 2, 2], pixels);
const twoLabels = () => idxBytes(0x08, [2], [3, 7]);

describe('mnistFromIdx', () => {
  it('scales pixels to [0, 1] as value / 255 in float32', () => {
    const store = mnistFromIdx(twoImages(), twoLabels(), { id: 'tiny' });
    expect(store.inputs).toBeInstanceOf(Float32Array);
    // 0 → 0, 255 → 1, 51 → 0.2, 102 → 0.4, 1 → 1/255, 128 → 128/255, … each rounded to float32
    expect(Array.from(store.inputs)).toEqual(pixels.map((value) => Math.fround(value / 255)));
    expect(store.inputs[1]).toBe(1);
    expect(store.inputs[2]).toBe(Math.fround(0.2));
  });

  it('gives images the shape [rows, columns, 1], int32 labels, 10 classes and the id', () => {
    const store = mnistFromIdx(twoImages(), twoLabels(), { id: 'tiny' });
    expect(store.id).toBe('tiny');
    expect(store.size).toBe(2);
    expect(store.exampleShape).toEqual([2, 2, 1]);
    expect(store.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(store.labels)).toEqual([3, 7]);
    expect(store.numClasses).toBe(10);
    expect(store.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('creates no tensor: the store is plain arrays', () => {
    const before = tf.memory().numTensors;
    mnistFromIdx(twoImages(), twoLabels(), { id: 'tiny' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses image and label counts that differ', () => {
    const error = errorOf(() => mnistFromIdx(twoImages(), idxBytes(0x08, [3], [1, 2, 3]), { id: 'x' }));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe('MNIST images holds 2 images but MNIST labels holds 3 labels');
  });

  it('refuses a labels file given as images, and images given as labels', () => {
    expect(errorOf(() => mnistFromIdx(twoLabels(), twoLabels(), { id: 'x' })).message).toBe(
      'MNIST images: expected unsigned-byte images [N, rows, columns], got uint8 [2]',
    );
    expect(errorOf(() => mnistFromIdx(twoImages(), twoImages(), { id: 'x' })).message).toBe(
      'MNIST labels: expected unsigned-byte labels [N], got uint8 [2, 2, 2]',
    );
  });

  it('refuses images that are not unsigned bytes', () => {
    const ints = idxBytes(0x0c, [1, 1, 1], [0, 0, 0, 9]);
    expect(errorOf(() => mnistFromIdx(ints, idxBytes(0x08, [1], [0]), { id: 'x' })).message).toBe(
      'MNIST images: expected unsigned-byte images [N, rows, columns], got int32 [1, 1, 1]',
    );
  });

  it('refuses a label that is no class index', () => {
    expect(errorOf(() => mnistFromIdx(twoImages(), idxBytes(0x08, [2], [3, 10]), { id: 'x' })).message).toBe(
      'MNIST labels: label 10 of example 1 is not a class index below 10',
    );
    // With more classes (EMNIST letters have 27 label values) the same label is fine.
    expect(mnistFromIdx(twoImages(), idxBytes(0x08, [2], [3, 10]), { id: 'x', classes: 27 }).numClasses).toBe(27);
  });

  it('names the files it is given in IDX errors', () => {
    const truncated = twoImages().subarray(0, 20);
    expect(
      errorOf(() => mnistFromIdx(truncated, twoLabels(), { id: 'x', imagesSource: 'IDX file /data/train-images-idx3-ubyte' }))
        .message,
    ).toBe('IDX file /data/train-images-idx3-ubyte: header says 2×2×2 = 8 bytes of data, found 4');
  });
});

describe("mnistFromIdx with storage: 'uint8'", () => {
  it('keeps a copy of the bytes and gives batches the same values as the float32 store', () => {
    // A Node Buffer, as readFile gives: its slice() is a view, so a copy must be made another way.
    const images = Buffer.from(twoImages());
    const asBytes = mnistFromIdx(images, twoLabels(), { id: 'tiny', storage: 'uint8' });
    const asFloats = mnistFromIdx(images, twoLabels(), { id: 'tiny' });
    expect(asBytes.inputs).toBeInstanceOf(Uint8Array);
    expect(Array.from(asBytes.inputs)).toEqual(pixels);
    expect(asBytes.inputs.buffer).not.toBe(images.buffer);
    images.fill(0);
    expect(Array.from(asBytes.inputs)).toEqual(pixels);
    expect(asBytes.id).toBe('tiny+normalize(mean 0; std 255)');
    const both = Int32Array.from([0, 1]);
    expect(asBytes.valuesOf(both)).toEqual(asFloats.valuesOf(both));
  });
});

describe('mnistFromIdx class names', () => {
  it('keeps the names given, one per class', () => {
    const classNames = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    expect(mnistFromIdx(twoImages(), twoLabels(), { id: 'tiny', classNames }).classNames[7]).toBe('seven');
  });
});
