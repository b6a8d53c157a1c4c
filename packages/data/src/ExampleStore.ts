import { DistilleryError } from '@distillery/core';
import type { ChannelNormalization } from './ChannelNormalization.js';
import type { FeatureStandardization } from './FeatureStandardization.js';

export interface ExampleStoreOptions {
  /** Names the data in fingerprints and caches (`mnist-train`); change it when the data changes. */
  readonly id: string;
  /**
   * All examples, one after another: N × product(exampleShape) raw values. The store keeps this array,
   * it does not copy it. Images can stay bytes (a quarter of the memory: CIFAR-10's 50,000 training
   * images take 153.6 MB as uint8, 614.4 MB as float32); batches are float32 either way.
   */
  readonly inputs: Float32Array | Uint8Array;
  /** Shape of one example, without the example axis: [28, 28, 1] for MNIST, [D] for tabular data. */
  readonly exampleShape: readonly number[];
  /** One class index per example, each in [0, numClasses). Kept, not copied. */
  readonly labels: Int32Array;
  readonly numClasses: number;
  /** What each class index stands for (the label value of a CSV file); defaults to '0', '1', …. */
  readonly classNames?: readonly string[];
  /** Names of the input features of tabular data (the CSV columns), one per input value. */
  readonly featureNames?: readonly string[];
  /** How the inputs were standardized, when they were. */
  readonly standardization?: FeatureStandardization;
  /**
   * Per-channel (last axis) mean and std in the raw value scale, applied to every value read out of the
   * store (after any augmentation); the id says which, so fingerprints and caches tell them apart.
   */
  readonly normalization?: ChannelNormalization;
}

/**
 * The one in-memory copy of a dataset: every input in a single Float32Array or Uint8Array and every
 * label in an Int32Array. Views over it ({@link IndexedDataset}, splits, subsets) hold example indices, never
 * data, so splitting a dataset costs 4 bytes an example and no tensor. Batches are copied out of the
 * store into fresh tensors as the training loop asks for them.
 *
 * The inputs live in JavaScript memory rather than in one big tensor: building a batch is then a
 * memcpy per example (0.2 ms for 128 MNIST images) on every backend, where tf.gather on the cpu
 * backend costs 4–5 ms, and the store needs no dispose and no GPU memory. Treat both arrays as
 * read-only.
 *
 * `inputs` are raw values; what a model sees is {@link ExampleStore.valuesOf}: float32, normalised
 * per channel when the store has a `normalization`. Read examples through it, never `inputs` directly.
 */
export class ExampleStore {
  /** The id given, plus the normalisation when there is one: `cifar10-train+normalize(mean 125.3,…; std 63,…)`. */
  readonly id: string;
  /** Raw values; see {@link ExampleStore.valuesOf}. */
  readonly inputs: Float32Array | Uint8Array;
  readonly labels: Int32Array;
  readonly exampleShape: readonly number[];
  /** Values per example: the product of `exampleShape`. */
  readonly exampleSize: number;
  readonly size: number;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly featureNames?: readonly string[];
  readonly standardization?: FeatureStandardization;
  readonly normalization?: ChannelNormalization;
  private readonly options: ExampleStoreOptions;

  constructor(options: ExampleStoreOptions) {
    const { id, inputs, exampleShape, labels, numClasses } = options;
    if (id.length === 0) throw new DistilleryError('ExampleStore: id must not be empty');
    if (exampleShape.length === 0 || exampleShape.some((size) => !Number.isInteger(size) || size < 1)) {
      throw new DistilleryError(`ExampleStore ${id}: exampleShape must be positive integers, got [${exampleShape.join(', ')}]`);
    }
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new DistilleryError(`ExampleStore ${id}: numClasses must be a positive integer, got ${numClasses}`);
    }
    const exampleSize = exampleShape.reduce((product, size) => product * size, 1);
    if (inputs.length !== labels.length * exampleSize) {
      throw new DistilleryError(
        `ExampleStore ${id}: ${labels.length} labels need ${labels.length}×${exampleSize} = ${labels.length * exampleSize} input values, got ${inputs.length}`,
      );
    }
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i] as number;
      if (label < 0 || label >= numClasses) {
        throw new DistilleryError(
          `ExampleStore ${id}: label ${label} of example ${i} is not a class index in [0, ${numClasses})`,
        );
      }
    }
    if (options.classNames !== undefined && options.classNames.length !== numClasses) {
      throw new DistilleryError(`ExampleStore ${id}: ${options.classNames.length} class names for ${numClasses} classes`);
    }
    if (options.featureNames !== undefined && options.featureNames.length !== exampleSize) {
      throw new DistilleryError(
        `ExampleStore ${id}: ${options.featureNames.length} feature names for ${exampleSize} input values`,
      );
    }
    if (!(inputs instanceof Float32Array || inputs instanceof Uint8Array)) {
      throw new DistilleryError(`ExampleStore ${id}: inputs must be a Float32Array or a Uint8Array`);
    }
    const channels = exampleShape[exampleShape.length - 1] as number;
    if (options.normalization !== undefined) checkNormalization(options.normalization, channels, id);
    this.options = options;
    this.id = options.normalization === undefined ? id : `${id}+${describeNormalization(options.normalization)}`;
    this.inputs = inputs;
    this.labels = labels;
    this.exampleShape = [...exampleShape];
    this.exampleSize = exampleSize;
    this.size = labels.length;
    this.numClasses = numClasses;
    this.classNames = options.classNames ?? Array.from({ length: numClasses }, (_, c) => String(c));
    if (options.featureNames !== undefined) this.featureNames = options.featureNames;
    if (options.standardization !== undefined) this.standardization = options.standardization;
    if (options.normalization !== undefined) this.normalization = options.normalization;
  }

  /** The same data and labels, normalised with `normalization` (or not at all): shares the arrays, changes the id. */
  withNormalization(normalization: ChannelNormalization | undefined): ExampleStore {
    const { normalization: _current, ...rest } = this.options;
    return new ExampleStore(normalization === undefined ? rest : { ...rest, normalization });
  }

  /**
   * The same inputs (shared, not copied) with other labels, one per example: what label noise is made of.
   * `description` says how the labels were changed and joins the id before the normalisation
   * (`cifar10-train+shuffledLabels(…)+normalize(…)`), so fingerprints and caches tell the two stores apart.
   */
  withLabels(labels: Int32Array, description: string): ExampleStore {
    if (labels.length !== this.size) {
      throw new DistilleryError(`ExampleStore ${this.id}: ${labels.length} new labels for ${this.size} examples`);
    }
    if (description.length === 0) throw new DistilleryError(`ExampleStore ${this.id}: new labels need a description`);
    return new ExampleStore({ ...this.options, id: `${this.options.id}+${description}`, labels });
  }

  /**
   * What a model sees of the examples at `indices` (store indices, in that order): their values one
   * after another as a fresh float32 array, normalised. The one way to read examples out of a store.
   */
  valuesOf(indices: Int32Array): Float32Array {
    return this.normalize(this.rawValuesOf(indices));
  }

  /**
   * The raw values of the examples at `indices` as a fresh float32 array, before normalisation: what an
   * augmentation works on (so padding with 0 is black). Runs of consecutive indices are one copy each.
   */
  rawValuesOf(indices: Int32Array): Float32Array {
    const { inputs, exampleSize } = this;
    const values = new Float32Array(indices.length * exampleSize);
    let runStart = 0;
    for (let k = 0; k < indices.length; k++) {
      const index = indices[k] as number;
      if (index < 0 || index >= this.size) {
        throw new DistilleryError(`ExampleStore ${this.id}: index ${index} is outside [0, ${this.size})`);
      }
      const runEnds = k + 1 === indices.length || indices[k + 1] !== index + 1;
      if (runEnds) {
        const first = indices[runStart] as number;
        const count = k + 1 - runStart;
        // TypedArray.set converts each byte to its float32 value.
        values.set(inputs.subarray(first * exampleSize, (first + count) * exampleSize), runStart * exampleSize);
        runStart = k + 1;
      }
    }
    return values;
  }

  /**
   * Normalises raw values of whole examples in place, (v − mean_c) / std_c over the last axis, and
   * returns the same array; a store without normalisation leaves them as they are.
   */
  normalize(values: Float32Array): Float32Array {
    const { normalization } = this;
    if (normalization === undefined) return values;
    const channels = normalization.mean.length;
    for (let c = 0; c < channels; c++) {
      const mean = normalization.mean[c] as number;
      const std = normalization.std[c] as number;
      for (let i = c; i < values.length; i += channels) values[i] = ((values[i] as number) - mean) / std;
    }
    return values;
  }
}

function checkNormalization(normalization: ChannelNormalization, channels: number, id: string): void {
  const { mean, std } = normalization;
  if (mean.length !== channels || std.length !== channels) {
    throw new DistilleryError(
      `ExampleStore ${id}: normalization needs one mean and one std per channel (${channels}, the last axis), got ${mean.length} and ${std.length}`,
    );
  }
  const badMean = mean.findIndex((value) => !Number.isFinite(value));
  if (badMean >= 0)
    throw new DistilleryError(`ExampleStore ${id}: normalization.mean[${badMean}] must be finite, got ${mean[badMean]}`);
  const badStd = std.findIndex((value) => !Number.isFinite(value) || value <= 0);
  if (badStd >= 0)
    throw new DistilleryError(`ExampleStore ${id}: normalization.std[${badStd}] must be positive, got ${std[badStd]}`);
}

/** Every digit of every value, so two normalisations give the same id only when they are the same. */
function describeNormalization({ mean, std }: ChannelNormalization): string {
  return `normalize(mean ${mean.join(',')}; std ${std.join(',')})`;
}
