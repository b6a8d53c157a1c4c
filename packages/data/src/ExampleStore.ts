import { DistilleryError } from '@distillery/core';
import type { FeatureStandardization } from './FeatureStandardization.js';

export interface ExampleStoreOptions {
  /** Names the data in fingerprints and caches (`mnist-train`); change it when the data changes. */
  readonly id: string;
  /** All examples, one after another: N × product(exampleShape) values. The store keeps this array, it does not copy it. */
  readonly inputs: Float32Array;
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
}

/**
 * The one in-memory copy of a dataset: every input in a single Float32Array and every label in an
 * Int32Array. Views over it ({@link IndexedDataset}, splits, subsets) hold example indices, never
 * data, so splitting a dataset costs 4 bytes an example and no tensor. Batches are copied out of the
 * store into fresh tensors as the training loop asks for them.
 *
 * The inputs live in JavaScript memory rather than in one big tensor: building a batch is then a
 * memcpy per example (0.2 ms for 128 MNIST images) on every backend, where tf.gather on the cpu
 * backend costs 4–5 ms, and the store needs no dispose and no GPU memory. Treat both arrays as
 * read-only.
 */
export class ExampleStore {
  readonly id: string;
  readonly inputs: Float32Array;
  readonly labels: Int32Array;
  readonly exampleShape: readonly number[];
  /** Values per example: the product of `exampleShape`. */
  readonly exampleSize: number;
  readonly size: number;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly featureNames?: readonly string[];
  readonly standardization?: FeatureStandardization;

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
    this.id = id;
    this.inputs = inputs;
    this.labels = labels;
    this.exampleShape = [...exampleShape];
    this.exampleSize = exampleSize;
    this.size = labels.length;
    this.numClasses = numClasses;
    this.classNames = options.classNames ?? Array.from({ length: numClasses }, (_, c) => String(c));
    if (options.featureNames !== undefined) this.featureNames = options.featureNames;
    if (options.standardization !== undefined) this.standardization = options.standardization;
  }
}
