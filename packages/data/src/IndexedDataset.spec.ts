import '@tensorflow/tfjs-backend-cpu';
import { type BatchOptions, DistilleryError, shuffledIndices } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Augmentation } from './Augmentation.js';
import { ExampleStore } from './ExampleStore.js';
import { IndexedDataset } from './IndexedDataset.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Example i has input [i, 10·i] and label i mod 3, so a batch shows which examples it holds. */
function numberedStore(size: number): ExampleStore {
  const inputs = new Float32Array(2 * size);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    inputs[2 * i] = i;
    inputs[2 * i + 1] = 10 * i;
    labels[i] = i % 3;
  }
  return new ExampleStore({ id: 'numbers', inputs, exampleShape: [2], labels, numClasses: 3 });
}

interface PlainBatch {
  readonly examples: number[];
  /** Batch.indices: positions within the view. */
  readonly positions: number[];
  readonly inputs: number[][];
  readonly labels: number[];
}

function readBatches(dataset: IndexedDataset, options: BatchOptions): PlainBatch[] {
  const batches: PlainBatch[] = [];
  for (const batch of dataset.batches(options)) {
    expect(batch.labels.dtype).toBe('int32');
    expect(batch.inputs.dtype).toBe('float32');
    const inputs = batch.inputs.arraySync() as number[][];
    batches.push({
      examples: inputs.map((row) => row[0] as number),
      positions: Array.from(batch.indices ?? []),
      inputs,
      labels: Array.from(batch.labels.dataSync()),
    });
    tf.dispose([batch.inputs, batch.labels]);
  }
  return batches;
}

const examplesOf = (dataset: IndexedDataset, options: BatchOptions) => readBatches(dataset, options).flatMap((b) => b.examples);

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** Adds 100 on tensors; a stand-in augmentation that shows where it was applied. */
const plusHundred: Augmentation = {
  description: 'plus100',
  apply: (inputs) => tf.add(tf.mul(inputs, 1), 100),
};

describe('IndexedDataset over a whole store', () => {
  it('knows its size, example shape, class count and id', () => {
    const dataset = new IndexedDataset(numberedStore(5));
    expect(dataset.size).toBe(5);
    expect(dataset.inputShape).toEqual([2]);
    expect(dataset.numClasses).toBe(3);
    expect(dataset.id).toBe('numbers');
  });

  it('serves unshuffled batches in order, the last one short', () => {
    const batches = readBatches(new IndexedDataset(numberedStore(5)), { batchSize: 2, shuffle: false, seed: 0, epoch: 0 });
    expect(batches.map((batch) => batch.inputs)).toEqual([
      [
        [0, 0],
        [1, 10],
      ],
      [
        [2, 20],
        [3, 30],
      ],
      [[4, 40]],
    ]);
    expect(batches.map((batch) => batch.labels)).toEqual([[0, 1], [2, 0], [1]]);
  });

  it('serves every example exactly once per shuffled epoch, labels following their inputs', () => {
    const batches = readBatches(new IndexedDataset(numberedStore(10)), { batchSize: 3, shuffle: true, seed: 7, epoch: 0 });
    expect(batches.map((batch) => batch.examples.length)).toEqual([3, 3, 3, 1]);
    expect(
      batches
        .flatMap((batch) => batch.examples)
        .slice()
        .sort((a, b) => a - b),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const batch of batches) {
      batch.inputs.forEach((row, k) => {
        expect(row[1]).toBe(10 * (row[0] as number));
        expect(batch.labels[k]).toBe((row[0] as number) % 3);
      });
    }
  });

  it('shuffles in the order of core’s shuffledIndices, which depends only on the seed and epoch', () => {
    const dataset = new IndexedDataset(numberedStore(20));
    const order = (seed: number, epoch: number) => examplesOf(dataset, { batchSize: 4, shuffle: true, seed, epoch });
    expect(order(3, 0)).toEqual(Array.from(shuffledIndices(20, 3, 0)));
    expect(order(3, 0)).toEqual(order(3, 0));
    expect(order(3, 1)).not.toEqual(order(3, 0));
    expect(order(4, 0)).not.toEqual(order(3, 0));
  });

  it('returns every label cheaply as a fresh Int32Array', () => {
    const store = numberedStore(4);
    const labels = new IndexedDataset(store).labels();
    expect(labels).toBeInstanceOf(Int32Array);
    expect(Array.from(labels)).toEqual([0, 1, 2, 0]);
    labels[0] = 2;
    expect(store.labels[0]).toBe(0);
  });
});

describe('IndexedDataset views', () => {
  it('slice examples by position and say so in the id, nesting', () => {
    const middle = new IndexedDataset(numberedStore(10)).slice(2, 7);
    expect(middle.id).toBe('numbers[2:7]');
    expect(middle.size).toBe(5);
    expect(examplesOf(middle, { batchSize: 2, shuffle: false, seed: 0, epoch: 0 })).toEqual([2, 3, 4, 5, 6]);
    const inner = middle.slice(1, 3);
    expect(inner.id).toBe('numbers[2:7][1:3]');
    expect(examplesOf(inner, { batchSize: 8, shuffle: false, seed: 0, epoch: 0 })).toEqual([3, 4]);
    expect(Array.from(inner.labels())).toEqual([0, 1]);
    expect(middle.take(2).id).toBe('numbers[2:7][0:2]');
  });

  it('shuffle within their own examples: shuffledIndices over the view, mapped to its examples', () => {
    const view = new IndexedDataset(numberedStore(30)).slice(10, 22);
    const permutation = shuffledIndices(12, 5, 2);
    const batches = readBatches(view, { batchSize: 5, shuffle: true, seed: 5, epoch: 2 });
    expect(batches.flatMap((batch) => batch.examples)).toEqual(Array.from(permutation, (p) => 10 + p));
    // Batch.indices are positions within the view (what the teacher cache keys on), not store indices.
    expect(batches.flatMap((batch) => batch.positions)).toEqual(Array.from(permutation));
  });

  it('over arbitrary indices serve those examples, in that order when not shuffled', () => {
    const store = numberedStore(8);
    const picked = new IndexedDataset(store, { indices: Int32Array.from([6, 1, 1, 4]), subset: '{6,1,1,4}' });
    expect(picked.id).toBe('numbers{6,1,1,4}');
    const batches = readBatches(picked, { batchSize: 3, shuffle: false, seed: 0, epoch: 0 });
    expect(batches.map((batch) => batch.examples)).toEqual([[6, 1, 1], [4]]);
    expect(batches.map((batch) => batch.positions)).toEqual([[0, 1, 2], [3]]);
    expect(batches.map((batch) => batch.labels)).toEqual([[0, 1, 1], [1]]);
  });

  it('share the store: no data is copied and no tensor is made, however many views', () => {
    const store = numberedStore(1000);
    const before = tf.memory();
    const whole = new IndexedDataset(store);
    const views = Array.from({ length: 200 }, (_, k) =>
      whole
        .slice(k, k + 500)
        .take(100)
        .withAugmentation(plusHundred),
    );
    expect(views.every((view) => view.store === store && view.store.inputs === store.inputs)).toBe(true);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('refuse indices outside the store and a subset without a description', () => {
    const store = numberedStore(3);
    const error = errorOf(() => new IndexedDataset(store, { indices: Int32Array.from([0, 3]), subset: '[x]' }));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe('IndexedDataset over numbers: index 3 at position 1 is outside [0, 3)');
    expect(errorOf(() => new IndexedDataset(store, { indices: Int32Array.from([0]) })).message).toBe(
      'IndexedDataset over numbers: a subset of indices needs a description of it (subset)',
    );
  });

  it('refuse slices and takes beyond their examples', () => {
    const dataset = new IndexedDataset(numberedStore(4));
    expect(errorOf(() => dataset.slice(2, 5)).message).toBe('numbers: cannot slice [2:5] from 4 examples');
    expect(errorOf(() => dataset.slice(3, 2)).message).toBe('numbers: cannot slice [3:2] from 4 examples');
    expect(errorOf(() => dataset.take(5)).message).toBe('numbers: cannot take 5 of 4 examples');
    expect(errorOf(() => dataset.select(Int32Array.from([4]), '[4]')).message).toBe('numbers: position 4 is outside [0, 4)');
  });
});

describe('IndexedDataset batches', () => {
  it('refuse a batch size that is not a positive integer', () => {
    const dataset = new IndexedDataset(numberedStore(4));
    const error = errorOf(() => [...dataset.batches({ batchSize: 0, shuffle: false, seed: 0, epoch: 0 })]);
    expect(error.message).toBe('batchSize: expected a positive integer, got 0');
    expect((error as DistilleryError).field).toBe('batchSize');
  });

  it('are fresh tensors: disposing one leaves the store and later batches intact', () => {
    const dataset = new IndexedDataset(numberedStore(4));
    for (const batch of dataset.batches({ batchSize: 2, shuffle: false, seed: 0, epoch: 0 }))
      tf.dispose([batch.inputs, batch.labels]);
    expect(examplesOf(dataset, { batchSize: 4, shuffle: false, seed: 0, epoch: 0 })).toEqual([0, 1, 2, 3]);
    expect(Array.from(dataset.store.inputs)).toEqual([0, 0, 1, 10, 2, 20, 3, 30]);
  });

  it('leak no tensor over full passes when each batch is disposed', async () => {
    const dataset = new IndexedDataset(numberedStore(7)).slice(1);
    await expectNoLeaks(() => {
      for (const options of [
        { batchSize: 3, shuffle: false, seed: 0, epoch: 0 },
        { batchSize: 3, shuffle: true, seed: 1, epoch: 2, augment: true },
      ]) {
        for (const batch of dataset.batches(options)) tf.dispose([batch.inputs, batch.labels]);
        for (const batch of dataset.withAugmentation(plusHundred).batches(options)) tf.dispose([batch.inputs, batch.labels]);
      }
    });
  });
});

describe('IndexedDataset augmentation', () => {
  it('applies only to passes that ask for it, so evaluation sees the data as it is', () => {
    const augmented = new IndexedDataset(numberedStore(4)).withAugmentation(plusHundred);
    expect(augmented.id).toBe('numbers+plus100');
    const shuffled = readBatches(augmented, { batchSize: 4, shuffle: true, seed: 0, epoch: 0, augment: true })[0];
    // Every value gains 100: example i becomes [i + 100, 10·i + 100].
    shuffled?.inputs.forEach((row) => {
      expect(row[1]).toBe(10 * ((row[0] as number) - 100) + 100);
    });
    expect(
      readBatches(augmented, { batchSize: 4, shuffle: true, seed: 0, epoch: 0 })[0]
        ?.inputs.map((row) => row[0] as number)
        .every((value) => value < 100),
    ).toBe(true);
    expect(readBatches(augmented, { batchSize: 4, shuffle: false, seed: 0, epoch: 0, augment: true })[0]?.inputs).toEqual([
      [100, 100],
      [101, 110],
      [102, 120],
      [103, 130],
    ]);
    expect(readBatches(augmented, { batchSize: 4, shuffle: false, seed: 0, epoch: 0 })[0]?.inputs).toEqual([
      [0, 0],
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
  });

  it('runs a tensor augmentation inside a tidy, so its intermediates are freed', async () => {
    const dataset = new IndexedDataset(numberedStore(6)).withAugmentation(plusHundred);
    await expectNoLeaks(() => {
      for (const batch of dataset.batches({ batchSize: 4, shuffle: true, seed: 0, epoch: 0, augment: true }))
        tf.dispose([batch.inputs, batch.labels]);
    });
  });

  it('seeds each batch from (seed, epoch, batch index) and prefers the values path when there is one', () => {
    const drawn: number[][] = [];
    const recording: Augmentation = {
      description: 'recording',
      apply: () => {
        throw new Error('the values path should have been used');
      },
      applyToValues: (values, _shape, random) => {
        drawn.push([random(), random()]);
        return values;
      },
    };
    const dataset = new IndexedDataset(numberedStore(6)).withAugmentation(recording);
    const pass = (seed: number, epoch: number) => {
      drawn.length = 0;
      for (const batch of dataset.batches({ batchSize: 2, shuffle: true, seed, epoch, augment: true }))
        tf.dispose([batch.inputs, batch.labels]);
      return drawn.map((pair) => [...pair]);
    };
    const first = pass(1, 0);
    expect(first).toHaveLength(3);
    expect(pass(1, 0)).toEqual(first);
    expect(pass(1, 1)).not.toEqual(first);
    expect(pass(2, 0)).not.toEqual(first);
    // Each batch has a source of its own.
    expect(first[1]).not.toEqual(first[0]);
  });

  it('is dropped by withoutAugmentation and kept by slices', () => {
    const augmented = new IndexedDataset(numberedStore(6)).withAugmentation(plusHundred);
    expect(augmented.slice(0, 3).id).toBe('numbers[0:3]+plus100');
    expect(augmented.slice(0, 3).augmentation).toBe(plusHundred);
    expect(augmented.slice(0, 3).withoutAugmentation().id).toBe('numbers[0:3]');
    expect(augmented.withoutAugmentation().augmentation).toBeUndefined();
    expect([augmented.randomlyAugmented, augmented.slice(0, 3).randomlyAugmented]).toEqual([true, true]);
    expect(augmented.withoutAugmentation().randomlyAugmented).toBe(false);
  });

  it('checks the example shape when attached', () => {
    const refusing: Augmentation = {
      description: 'images-only',
      checkExampleShape: (shape) => {
        throw new DistilleryError(`images-only: got [${shape.join(', ')}]`);
      },
      apply: (inputs) => inputs,
    };
    expect(errorOf(() => new IndexedDataset(numberedStore(2)).withAugmentation(refusing)).message).toBe('images-only: got [2]');
  });
});

describe('IndexedDataset over a uint8 store with a per-channel normalisation', () => {
  /** Two 1×2 RGB images of bytes: (0, 128, 255) (10, 20, 30) and (255, 255, 255) (51, 102, 153). */
  const pixels = [0, 128, 255, 10, 20, 30, 255, 255, 255, 51, 102, 153];
  const normalization = { mean: [10, 20, 30], std: [5, 2, 1] };
  const storeOf = (inputs: Uint8Array | Float32Array) =>
    new ExampleStore({
      id: 'rgb',
      inputs,
      exampleShape: [1, 2, 3],
      labels: Int32Array.from([0, 1]),
      numClasses: 2,
      normalization,
    });
  const batchValues = (dataset: IndexedDataset, options: BatchOptions) => {
    const values: number[][] = [];
    for (const batch of dataset.batches(options)) {
      expect(batch.inputs.dtype).toBe('float32');
      values.push(Array.from(batch.inputs.dataSync()));
      tf.dispose([batch.inputs, batch.labels]);
    }
    return values;
  };
  const inOrder = { batchSize: 2, shuffle: false, seed: 0, epoch: 0 };

  it('serves float32 batches normalised by hand: (v − mean_c) / std_c', () => {
    expect(batchValues(new IndexedDataset(storeOf(Uint8Array.from(pixels))), inOrder)).toEqual([
      [-2, 54, 225, 0, 0, 0, 49, 117.5, 225, 8.2, 41, 123].map(Math.fround),
    ]);
  });

  it('serves the same batches as a float32 store of the same pixels, shuffled or not', () => {
    const fromBytes = new IndexedDataset(storeOf(Uint8Array.from(pixels)));
    const fromFloats = new IndexedDataset(storeOf(Float32Array.from(pixels)));
    for (const options of [inOrder, { batchSize: 1, shuffle: true, seed: 3, epoch: 1 }]) {
      expect(batchValues(fromBytes, options)).toEqual(batchValues(fromFloats, options));
    }
    expect(fromBytes.valuesAt(Int32Array.from([1]))).toEqual(fromFloats.valuesAt(Int32Array.from([1])));
    expect(Array.from(fromBytes.valuesAt(Int32Array.from([1])))).toEqual([49, 117.5, 225, 8.2, 41, 123].map(Math.fround));
  });

  it('hands the augmentation raw values and normalises what it returns, so a zero fill is black', () => {
    const seen: number[][] = [];
    const blackenFirstPixel: Augmentation = {
      description: 'blacken',
      apply: () => {
        throw new Error('the values path should have been used');
      },
      applyToValues: (values) => {
        seen.push(Array.from(values));
        const out = Float32Array.from(values);
        out.fill(0, 0, 3);
        return out;
      },
    };
    const dataset = new IndexedDataset(storeOf(Uint8Array.from(pixels))).slice(0, 1).withAugmentation(blackenFirstPixel);
    const [augmented] = batchValues(dataset, { ...inOrder, augment: true });
    expect(seen).toEqual([[0, 128, 255, 10, 20, 30]]);
    // Black (0, 0, 0) normalised: (0 − 10)/5, (0 − 20)/2, (0 − 30)/1; the second pixel as before.
    expect(augmented).toEqual([-2, -10, -30, 0, 0, 0]);
  });

  it('normalises after a tensor-only augmentation too, with the same values as the JavaScript path', async () => {
    const seen: number[][] = [];
    const tensorBlacken: Augmentation = {
      description: 'blacken',
      apply: (inputs) => {
        seen.push(Array.from(inputs.dataSync()));
        return tf.mul(inputs, tf.tensor([0, 1], [1, 2, 1]));
      },
    };
    const dataset = new IndexedDataset(storeOf(Uint8Array.from(pixels))).withAugmentation(tensorBlacken);
    await expectNoLeaks(() => {
      const [augmented] = batchValues(dataset, { ...inOrder, augment: true });
      expect(seen).toEqual([pixels]);
      expect(augmented).toEqual([-2, -10, -30, 0, 0, 0, -2, -10, -30, 8.2, 41, 123].map(Math.fround));
    });
  });

  it('leaks no tensor over full passes, augmented or not', async () => {
    const dataset = new IndexedDataset(storeOf(Uint8Array.from(pixels))).withAugmentation(plusHundred);
    await expectNoLeaks(() => {
      batchValues(dataset, { batchSize: 1, shuffle: true, seed: 1, epoch: 0, augment: true });
      batchValues(dataset, { batchSize: 2, shuffle: false, seed: 1, epoch: 0 });
    });
  });

  it('names the normalisation in its id', () => {
    expect(new IndexedDataset(storeOf(Uint8Array.from(pixels))).slice(0, 1).id).toBe(
      'rgb+normalize(mean 10,20,30; std 5,2,1)[0:1]',
    );
  });
});
