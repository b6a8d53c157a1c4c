import { type Batch, type BatchOptions, type Dataset, DistilleryError, shuffledIndices } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import type { Augmentation } from './Augmentation.js';
import type { ExampleStore } from './ExampleStore.js';

export interface IndexedDatasetOptions {
  /** Which examples of the store, in order; all of them when left out. Kept, not copied. */
  readonly indices?: Int32Array;
  /** Says which examples `indices` picks, appended to the store id: `[0:55000]`. Needed with `indices`. */
  readonly subset?: string;
  readonly augmentation?: Augmentation;
}

/**
 * A {@link Dataset} over some examples of an {@link ExampleStore}: the store's data plus an Int32Array
 * of example indices. Views made from it (slices, splits, subsets, augmented versions) share the
 * store, so they cost their indices and nothing else. Each batch is copied out of the store into
 * fresh tensors that the caller disposes.
 *
 * Batches are float32 whatever the store keeps (bytes or floats): the raw values are gathered and
 * converted, then augmented (if asked), then normalised with the store's `normalization` as the last
 * step ({@link ExampleStore.valuesOf} for passes without augmentation, so every reader sees the same values).
 *
 * The augmentation, if any, is applied only when a pass asks for it (`augment: true`): the training
 * loop does, while evaluation, teacher diagnostics and backend probing do not, and so see the data as
 * it is. Batch k of
 * epoch e under seed s draws its randomness from seedrandom(`${s}:${e}:${k}:augmentation`).
 */
export class IndexedDataset implements Dataset {
  readonly store: ExampleStore;
  readonly indices: Int32Array;
  readonly size: number;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  /** The store id, what the view picks and its augmentation: `mnist-train[0:55000]+randomShift(2)`. */
  readonly id: string;
  readonly augmentation?: Augmentation;
  /** Whether training batches (`augment: true`) are randomly augmented: true when the view has an augmentation. */
  readonly randomlyAugmented: boolean;
  /** What this view picks from the store, as appended to the store id (`[0:55000]`, or '' for all of it). */
  readonly subset: string;

  constructor(store: ExampleStore, options: IndexedDatasetOptions = {}) {
    this.store = store;
    if (options.indices === undefined) {
      this.indices = new Int32Array(store.size);
      for (let i = 0; i < store.size; i++) this.indices[i] = i;
      this.subset = options.subset ?? '';
    } else {
      if (options.subset === undefined) {
        throw new DistilleryError(`IndexedDataset over ${store.id}: a subset of indices needs a description of it (subset)`);
      }
      for (let k = 0; k < options.indices.length; k++) {
        const index = options.indices[k] as number;
        if (index < 0 || index >= store.size) {
          throw new DistilleryError(
            `IndexedDataset over ${store.id}: index ${index} at position ${k} is outside [0, ${store.size})`,
          );
        }
      }
      this.indices = options.indices;
      this.subset = options.subset;
    }
    this.size = this.indices.length;
    this.inputShape = store.exampleShape;
    this.numClasses = store.numClasses;
    if (options.augmentation !== undefined) {
      options.augmentation.checkExampleShape?.(store.exampleShape);
      this.augmentation = options.augmentation;
    }
    this.randomlyAugmented = this.augmentation !== undefined;
    const subsetId = store.id + this.subset;
    this.id = this.augmentation === undefined ? subsetId : `${subsetId}+${this.augmentation.description}`;
  }

  /** The label of every example of the view, in order: a fresh Int32Array. */
  labels(): Int32Array {
    return this.labelsAt(this.indices);
  }

  /** What a model sees of the examples at `positions` within this view (never augmented): see {@link ExampleStore.valuesOf}. */
  valuesAt(positions: Int32Array): Float32Array {
    const outside = positions.findIndex((position) => position < 0 || position >= this.size);
    if (outside >= 0) throw new DistilleryError(`${this.id}: position ${positions[outside]} is outside [0, ${this.size})`);
    return this.store.valuesOf(this.storeIndicesAt(positions));
  }

  *batches(options: BatchOptions): Iterable<Batch> {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new DistilleryError(`batchSize: expected a positive integer, got ${options.batchSize}`, 'batchSize');
    }
    // Positions within this view (what Batch.indices reports), and the store indices they map to.
    const positions = options.shuffle ? shuffledIndices(this.size, options.seed, options.epoch) : undefined;
    const order = positions === undefined ? this.indices : this.storeIndicesAt(positions);
    const augmentation = options.augment === true ? this.augmentation : undefined;
    for (let start = 0, k = 0; start < this.size; start += options.batchSize, k++) {
      const end = Math.min(this.size, start + options.batchSize);
      const batchIndices = order.subarray(start, end);
      const shape = [batchIndices.length, ...this.store.exampleShape];
      const inputs =
        augmentation === undefined
          ? tf.tensor(this.store.valuesOf(batchIndices), shape, 'float32')
          : this.augmentedBatch(batchIndices, shape, augmentation, `${options.seed}:${options.epoch}:${k}:augmentation`);
      const indices = positions === undefined ? rangeOf(start, end) : positions.slice(start, end);
      yield { inputs, labels: tf.tensor1d(this.labelsAt(batchIndices), 'int32'), indices };
    }
  }

  /** Examples `start` to `end` (exclusive) of this view, like Array.prototype.slice with non-negative bounds. */
  slice(start: number, end: number = this.size): IndexedDataset {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.size || start > end) {
      throw new DistilleryError(`${this.id}: cannot slice [${start}:${end}] from ${this.size} examples`);
    }
    return this.view(this.indices.subarray(start, end), `[${start}:${end}]`);
  }

  /** The first `count` examples of this view. */
  take(count: number): IndexedDataset {
    if (!Number.isInteger(count) || count < 0 || count > this.size) {
      throw new DistilleryError(`${this.id}: cannot take ${count} of ${this.size} examples`);
    }
    return this.slice(0, count);
  }

  /**
   * The examples at `positions` within this view (not store indices), described by `subset` in the id.
   * What splits are made of; slice, take and splitTrainValidation describe their subsets themselves.
   */
  select(positions: Int32Array, subset: string): IndexedDataset {
    const indices = new Int32Array(positions.length);
    for (let k = 0; k < positions.length; k++) {
      const position = positions[k] as number;
      if (position < 0 || position >= this.size) {
        throw new DistilleryError(`${this.id}: position ${position} is outside [0, ${this.size})`);
      }
      indices[k] = this.indices[position] as number;
    }
    return this.view(indices, subset);
  }

  /** The same examples, augmented on passes that ask for it (`augment: true`). */
  withAugmentation(augmentation: Augmentation): IndexedDataset {
    return new IndexedDataset(this.store, { indices: this.indices, subset: this.subset, augmentation });
  }

  /** The same examples, never augmented: what a validation set wants. */
  withoutAugmentation(): IndexedDataset {
    return new IndexedDataset(this.store, { indices: this.indices, subset: this.subset });
  }

  private view(indices: Int32Array, subset: string): IndexedDataset {
    return new IndexedDataset(this.store, {
      indices,
      subset: this.subset + subset,
      ...(this.augmentation === undefined ? {} : { augmentation: this.augmentation }),
    });
  }

  private storeIndicesAt(positions: Int32Array): Int32Array {
    const indices = new Int32Array(positions.length);
    for (let k = 0; k < positions.length; k++) indices[k] = this.indices[positions[k] as number] as number;
    return indices;
  }

  /**
   * The batch of store examples `indices`, augmented on their raw values (so a zero fill is black, as
   * in torchvision, where normalisation comes after the random crop), then normalised.
   */
  private augmentedBatch(indices: Int32Array, shape: number[], augmentation: Augmentation, seed: string): tf.Tensor {
    const random = seedrandom(seed);
    const raw = this.store.rawValuesOf(indices);
    if (augmentation.applyToValues !== undefined) {
      return tf.tensor(this.store.normalize(augmentation.applyToValues(raw, shape, random)), shape, 'float32');
    }
    const augmented = tf.tidy(() => augmentation.apply(tf.tensor(raw, shape, 'float32'), random));
    if (this.store.normalization === undefined) return augmented;
    // Normalised in JavaScript, as on the fast path, so both paths give the same float32 values.
    const values = this.store.normalize(Float32Array.from(augmented.dataSync()));
    augmented.dispose();
    return tf.tensor(values, shape, 'float32');
  }

  private labelsAt(indices: Int32Array): Int32Array {
    const labels = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) labels[k] = this.store.labels[indices[k] as number] as number;
    return labels;
  }
}

/** start, start + 1, …, end − 1. */
function rangeOf(start: number, end: number): Int32Array {
  const range = new Int32Array(end - start);
  for (let k = 0; k < range.length; k++) range[k] = start + k;
  return range;
}
