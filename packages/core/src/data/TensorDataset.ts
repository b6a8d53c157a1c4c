import * as tf from '@tensorflow/tfjs-core';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { Batch } from './Batch.js';
import type { BatchOptions, Dataset } from './Dataset.js';
import { shuffledIndices } from './shuffledIndices.js';

/**
 * A {@link Dataset} over tensors already in memory: inputs [N, ...] and integer labels [N].
 * The dataset takes ownership of the tensors it is given; call `dispose()` when done with it.
 */
export class TensorDataset implements Dataset {
  readonly size: number;
  readonly inputShape: readonly number[];
  private readonly labels: tf.Tensor1D;

  /** `id` names the examples (for fingerprints and the teacher-output cache); without it nothing is cached. */
  constructor(
    private readonly inputs: tf.Tensor,
    labels: tf.Tensor,
    readonly id?: string,
  ) {
    if (inputs.rank < 2) {
      throw new DistilleryError(`dataset inputs: expected shape [N, ...], got [${inputs.shape.join(', ')}]`);
    }
    if (labels.rank !== 1 || labels.shape[0] !== inputs.shape[0]) {
      throw new DistilleryError(
        `dataset labels: expected shape [${inputs.shape[0]}] (one class index per example), got [${labels.shape.join(', ')}]`,
      );
    }
    if (labels.dtype === 'int32') {
      this.labels = labels as tf.Tensor1D;
    } else {
      this.labels = tf.cast(labels, 'int32') as tf.Tensor1D;
      labels.dispose();
    }
    this.size = inputs.shape[0] as number;
    this.inputShape = inputs.shape.slice(1);
  }

  *batches(options: BatchOptions): Iterable<Batch> {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new DistilleryError(`batchSize: expected a positive integer, got ${options.batchSize}`, 'batchSize');
    }
    const order = options.shuffle ? shuffledIndices(this.size, options.seed, options.epoch) : undefined;
    for (let start = 0; start < this.size; start += options.batchSize) {
      const end = Math.min(this.size, start + options.batchSize);
      if (order === undefined) {
        const indices = new Int32Array(end - start);
        for (let k = 0; k < indices.length; k++) indices[k] = start + k;
        yield {
          inputs: tf.slice(this.inputs, start, end - start),
          labels: tf.slice(this.labels, start, end - start),
          indices,
        };
      } else {
        const indices = order.slice(start, end);
        const positions = tf.tensor1d(indices, 'int32');
        const batch = { inputs: tf.gather(this.inputs, positions), labels: tf.gather(this.labels, positions), indices };
        positions.dispose();
        yield batch;
      }
    }
  }

  dispose(): void {
    this.inputs.dispose();
    this.labels.dispose();
  }
}
