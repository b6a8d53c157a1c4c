import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExampleStore } from './ExampleStore.js';
import { horizontalFlip } from './horizontalFlip.js';
import type { IndexedDataset } from './IndexedDataset.js';
import { splitTrainValidation } from './splitTrainValidation.js';
import { withShuffledLabels } from './withShuffledLabels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** `size` 1×2×1 images of 10 balanced classes: example i is [i, −i] with label i mod 10. */
function tenClassStore(size: number): ExampleStore {
  const inputs = new Float32Array(2 * size);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    inputs[2 * i] = i;
    inputs[2 * i + 1] = -i;
    labels[i] = i % 10;
  }
  return new ExampleStore({ id: 'tens', inputs, exampleShape: [1, 2, 1], labels, numClasses: 10 });
}

/** 900 training examples, the last 100 of 1000 held out for validation, as the CLI splits MNIST and CIFAR. */
function split(): { train: IndexedDataset; validation: IndexedDataset } {
  return splitTrainValidation(tenClassStore(1000), { validation: 100 });
}

const differences = (a: Int32Array, b: Int32Array) => a.reduce((count, label, k) => count + (label === b[k] ? 0 : 1), 0);

const classCounts = (labels: Int32Array) => {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label] = (counts[label] as number) + 1;
  return counts;
};

function errorOf(fn: () => unknown): DistilleryError {
  try {
    fn();
  } catch (error) {
    return error as DistilleryError;
  }
  throw new Error('expected a throw');
}

describe('withShuffledLabels', () => {
  it('chooses Math.round(fraction · n) examples and reports as changed exactly the labels that differ', () => {
    const { train } = split();
    const noisy = withShuffledLabels(train, { fraction: 0.4, seed: 0 });
    expect(noisy.shuffled).toBe(360);
    expect(differences(noisy.dataset.labels(), train.labels())).toBe(noisy.changed);
    // A chosen example keeps its label when the permutation hands it one of its own class: about 1 in 10 here.
    expect(noisy.changed).toBeLessThanOrEqual(360);
    expect(noisy.changed).toBeGreaterThan(0.8 * 360);
    // Half an example rounds up, as Math.round does: 0.25 of 10 is 3.
    expect(withShuffledLabels(train.take(10), { fraction: 0.25, seed: 0 }).shuffled).toBe(3);
  });

  it('changes no more labels than it chose, even when every label is its own class', () => {
    const labels = Int32Array.from({ length: 20 }, (_, i) => i);
    const store = new ExampleStore({ id: 'distinct', inputs: new Float32Array(20), exampleShape: [1], labels, numClasses: 20 });
    for (const seed of [0, 1, 2, 3]) {
      const noisy = withShuffledLabels(splitTrainValidation(store, { validation: 4 }).train, { fraction: 0.5, seed });
      expect(noisy.shuffled).toBe(8);
      const changedLabels = differences(noisy.dataset.labels(), labels.subarray(0, 16));
      expect(changedLabels).toBe(noisy.changed);
      // A permutation of 8 distinct labels moves all but its fixed points, and cannot move exactly one.
      expect(changedLabels).toBeLessThanOrEqual(8);
      expect(changedLabels).not.toBe(1);
    }
  });

  it("keeps every class's count, since it only moves labels between the chosen examples", () => {
    const { train } = split();
    const noisy = withShuffledLabels(train, { fraction: 0.4, seed: 7 });
    expect(classCounts(noisy.dataset.labels())).toEqual(classCounts(train.labels()));
    expect(classCounts(noisy.dataset.labels())).toEqual(new Array(10).fill(90));
  });

  it('gives the same labels for the same seed and other labels for another', () => {
    const { train } = split();
    const first = withShuffledLabels(train, { fraction: 0.4, seed: 3 });
    const again = withShuffledLabels(train, { fraction: 0.4, seed: 3 });
    const other = withShuffledLabels(train, { fraction: 0.4, seed: 4 });
    expect(Array.from(again.dataset.labels())).toEqual(Array.from(first.dataset.labels()));
    expect(again.dataset.id).toBe(first.dataset.id);
    expect(differences(other.dataset.labels(), first.dataset.labels())).toBeGreaterThan(0);
    expect(other.dataset.id).not.toBe(first.dataset.id);
  });

  it('shares the images, changes the id, and leaves the source and the held-out examples as they were', () => {
    const { train, validation } = split();
    const trueLabels = train.labels();
    const noisy = withShuffledLabels(train, { fraction: 0.4, seed: 0 }).dataset;
    expect(noisy.store.inputs).toBe(train.store.inputs);
    expect(noisy.valuesAt(Int32Array.from([0, 899]))).toEqual(train.valuesAt(Int32Array.from([0, 899])));
    expect(noisy.id).toBe('tens+shuffledLabels(0.4 of [0:900], seed 0)[0:900]');
    expect(train.id).toBe('tens[0:900]');
    expect(withShuffledLabels(train, { fraction: 0.3, seed: 0 }).dataset.id).not.toBe(noisy.id);
    expect(Array.from(train.labels())).toEqual(Array.from(trueLabels));
    expect(Array.from(validation.labels())).toEqual(Array.from({ length: 100 }, (_, k) => (900 + k) % 10));
    // The store behind the noisy view holds the held-out examples' true labels too.
    expect(Array.from(noisy.store.labels.subarray(900))).toEqual(Array.from(validation.labels()));
  });

  it('keeps the noisy labels through slices, selections and augmentation, and its batches carry them', async () => {
    const { train } = split();
    const source = train.withAugmentation(horizontalFlip());
    const noisy = withShuffledLabels(source, { fraction: 0.4, seed: 0 }).dataset;
    const labels = noisy.labels();
    expect(noisy.randomlyAugmented).toBe(true);
    expect(noisy.id).toBe('tens+shuffledLabels(0.4 of [0:900], seed 0)[0:900]+horizontalFlip()');
    expect(Array.from(noisy.slice(100, 200).labels())).toEqual(Array.from(labels.subarray(100, 200)));
    expect(Array.from(noisy.take(5).labels())).toEqual(Array.from(labels.subarray(0, 5)));
    expect(Array.from(noisy.select(Int32Array.from([7, 3]), '[7,3]').labels())).toEqual([labels[7], labels[3]]);
    expect(Array.from(noisy.withoutAugmentation().labels())).toEqual(Array.from(labels));

    const batchLabels = new Int32Array(noisy.size);
    await expectNoLeaks(() => {
      for (const batch of noisy.batches({ batchSize: 128, shuffle: true, seed: 1, epoch: 0, augment: true })) {
        const values = batch.labels.dataSync();
        (batch.indices ?? []).forEach((position, k) => {
          batchLabels[position] = values[k] as number;
        });
        tf.dispose([batch.inputs, batch.labels]);
      }
    });
    expect(Array.from(batchLabels)).toEqual(Array.from(labels));
  });

  it('names the field of a fraction outside (0, 1), a bad seed, and refuses a view that repeats an example', () => {
    const { train } = split();
    for (const fraction of [0, 1, -0.1, Number.NaN]) {
      const error = errorOf(() => withShuffledLabels(train, { fraction, seed: 0 }));
      expect(error).toBeInstanceOf(DistilleryError);
      expect(error.message).toBe(`labelNoise.fraction: expected a number in (0, 1), got ${fraction}`);
    }
    expect(errorOf(() => withShuffledLabels(train, { fraction: 0.4, seed: 1.5 })).message).toBe(
      'labelNoise.seed: expected an integer ≥ 0, got 1.5',
    );
    expect(errorOf(() => withShuffledLabels(train, { fraction: 0.4, seed: -1 })).message).toBe(
      'labelNoise.seed: expected an integer ≥ 0, got -1',
    );
    const repeated = train.select(Int32Array.from([4, 2, 4]), '[4,2,4]');
    expect(errorOf(() => withShuffledLabels(repeated, { fraction: 0.5, seed: 0 })).message).toBe(
      'tens[0:900][4,2,4]: example 4 appears twice; labels can be shuffled only over distinct examples',
    );
  });
});
