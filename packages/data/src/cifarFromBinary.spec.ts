import { DistilleryError } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { cifarFromBinary } from './cifarFromBinary.js';

const pixelsPerPlane = 1024;

/** One record: the label bytes, then planes R, G, B with R[p] = (p + seed) mod 256, G[p] = (3p) mod 256, B[p] = 255 − R[p]. */
function record(labels: readonly number[], seed: number): number[] {
  const bytes = [...labels];
  for (let p = 0; p < pixelsPerPlane; p++) bytes.push((p + seed) % 256);
  for (let p = 0; p < pixelsPerPlane; p++) bytes.push((3 * p) % 256);
  for (let p = 0; p < pixelsPerPlane; p++) bytes.push(255 - ((p + seed) % 256));
  return bytes;
}

const tenNames = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n';
const names = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}${i}`).join('\n');

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('cifarFromBinary on CIFAR-10 records', () => {
  const batches = [
    { name: 'data_batch_1.bin', bytes: Uint8Array.from([...record([3], 0), ...record([9], 7)]) },
    { name: 'data_batch_2.bin', bytes: Uint8Array.from(record([0], 100)) },
  ];
  const store = cifarFromBinary({
    id: 'c10',
    variant: 'cifar10',
    batches,
    classNames: { name: 'batches.meta.txt', text: tenNames },
  });

  it('reads every record of every file in order, with its label and the class names', () => {
    expect(store.size).toBe(3);
    expect(Array.from(store.labels)).toEqual([3, 9, 0]);
    expect(store.numClasses).toBe(10);
    expect(store.classNames[3]).toBe('cat');
    expect(store.classNames).toHaveLength(10);
    expect(store.exampleShape).toEqual([32, 32, 3]);
    expect(store.id).toBe('c10');
  });

  it('turns the R, G, B planes into bytes in NHWC order', () => {
    expect(store.inputs).toBeInstanceOf(Uint8Array);
    expect(store.inputs).toHaveLength(3 * 3072);
    // Pixel (y, x) = (1, 2) is p = 34: R = 34 + seed, G = 102, B = 255 − R.
    const at = (example: number, y: number, x: number, c: number) => store.inputs[example * 3072 + (y * 32 + x) * 3 + c];
    expect([at(0, 1, 2, 0), at(0, 1, 2, 1), at(0, 1, 2, 2)]).toEqual([34, 102, 221]);
    expect([at(1, 1, 2, 0), at(1, 1, 2, 1), at(1, 1, 2, 2)]).toEqual([41, 102, 214]);
    // The last pixel of the last example, p = 1023: R = (1023 + 100) mod 256 = 99, G = 3069 mod 256 = 253.
    expect([at(2, 31, 31, 0), at(2, 31, 31, 1), at(2, 31, 31, 2)]).toEqual([99, 253, 156]);
  });

  it('names the file and the problem when a file is not whole records', () => {
    const truncated = { name: 'data_batch_3.bin', bytes: Uint8Array.from(record([1], 0).slice(0, 3000)) };
    const error = errorOf(() =>
      cifarFromBinary({
        id: 'c10',
        variant: 'cifar10',
        batches: [truncated],
        classNames: { name: 'batches.meta.txt', text: tenNames },
      }),
    );
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe(
      'data_batch_3.bin: 3000 bytes is not a whole number of CIFAR-10 records of 3073 bytes (1 label byte + 3072 pixel bytes); the file is damaged',
    );
  });

  it('names the file and record when a label is not a class', () => {
    const bad = { name: 'test_batch.bin', bytes: Uint8Array.from([...record([2], 0), ...record([10], 0)]) };
    expect(
      errorOf(() =>
        cifarFromBinary({
          id: 'c10',
          variant: 'cifar10',
          batches: [bad],
          classNames: { name: 'batches.meta.txt', text: tenNames },
        }),
      ).message,
    ).toBe('test_batch.bin: record 1 has label 10, but CIFAR-10 has 10 classes (0–9); the file is damaged');
  });

  it('refuses a names file without one name per class, and an empty file list', () => {
    const one = { name: 'test_batch.bin', bytes: Uint8Array.from(record([2], 0)) };
    expect(
      errorOf(() =>
        cifarFromBinary({
          id: 'c10',
          variant: 'cifar10',
          batches: [one],
          classNames: { name: 'batches.meta.txt', text: 'cat\ndog\n' },
        }),
      ).message,
    ).toBe('batches.meta.txt: expected 10 class names, one a line, found 2');
    expect(
      errorOf(() =>
        cifarFromBinary({ id: 'c10', variant: 'cifar10', batches: [], classNames: { name: 'batches.meta.txt', text: tenNames } }),
      ).message,
    ).toBe('CIFAR-10 c10: no record files given');
  });
});

describe('cifarFromBinary on CIFAR-100 records', () => {
  // Records hold the coarse label, then the fine one.
  const batches = [{ name: 'train.bin', bytes: Uint8Array.from([...record([19, 99], 0), ...record([4, 30], 5)]) }];

  it('learns the fine labels by default, with the 100 fine names', () => {
    const store = cifarFromBinary({
      id: 'c100',
      variant: 'cifar100',
      batches,
      classNames: { name: 'fine_label_names.txt', text: names(100, 'fine') },
    });
    expect(Array.from(store.labels)).toEqual([99, 30]);
    expect(store.numClasses).toBe(100);
    expect(store.classNames[30]).toBe('fine30');
    // The pixels start after both label bytes: pixel (0, 1) of example 1 is R = 1 + 5.
    expect(store.inputs[3072 + 3]).toBe(6);
  });

  it('learns the 20 superclasses with label: coarse', () => {
    const store = cifarFromBinary({
      id: 'c100',
      variant: 'cifar100',
      batches,
      label: 'coarse',
      classNames: { name: 'coarse_label_names.txt', text: names(20, 'coarse') },
    });
    expect(Array.from(store.labels)).toEqual([19, 4]);
    expect(store.numClasses).toBe(20);
  });

  it('names the file, the record and the kind of label that is out of range', () => {
    const bad = [{ name: 'test.bin', bytes: Uint8Array.from(record([20, 5], 0)) }];
    const coarse = { name: 'coarse_label_names.txt', text: names(20, 'c') };
    expect(
      errorOf(() => cifarFromBinary({ id: 'c100', variant: 'cifar100', batches: bad, label: 'coarse', classNames: coarse }))
        .message,
    ).toBe('test.bin: record 0 has coarse label 20, but CIFAR-100 has 20 superclasses (0–19); the file is damaged');
    const short = [{ name: 'test.bin', bytes: Uint8Array.from(record([1, 5], 0).slice(1)) }];
    expect(errorOf(() => cifarFromBinary({ id: 'c100', variant: 'cifar100', batches: short, classNames: coarse })).message).toBe(
      'test.bin: 3073 bytes is not a whole number of CIFAR-100 records of 3074 bytes (2 label bytes (coarse, fine) + 3072 pixel bytes); the file is damaged',
    );
  });
});
