import type * as tf from '@tensorflow/tfjs-core';
import type { ExampleStore } from './ExampleStore.js';
import type { RandomSource } from './RandomSource.js';

/**
 * A random transformation of training batches. `apply` is a pure function of the batch and the
 * random source: {@link IndexedDataset} seeds the source from (seed, epoch, batch index), so a run
 * sees the same augmented batches every time. It runs inside a tf.tidy, so intermediate tensors need
 * no disposing; it must not dispose `inputs`.
 *
 * It sees raw, un-normalised values, in the scale the {@link ExampleStore} keeps them (0–255 for uint8
 * images, converted to float32): the store's per-channel normalisation comes after it, so a zero fill
 * (padding, cutout, a shifted-in border) is black, as with torchvision transforms placed before
 * Normalize. Returned values stay in that raw scale.
 */
export interface Augmentation {
  /** Appended to the dataset id (`mnist-train+randomShift(2)`), so fingerprints tell augmented data apart. */
  readonly description: string;
  /** Throws a DistilleryError when examples of this shape cannot be augmented; called when the augmentation is attached. */
  checkExampleShape?(exampleShape: readonly number[]): void;
  apply(inputs: tf.Tensor, random: RandomSource): tf.Tensor;
  /**
   * Optional fast path: the same transformation of a batch still in JavaScript memory (`values` in
   * row-major order, `shape` = [B, ...exampleShape]), drawing from `random` in the same order as
   * `apply` and giving the same values. {@link IndexedDataset} builds batches in JavaScript, so it uses
   * this when present and saves the tensor ops (which on the cpu backend cost element-wise loops).
   * Returns a new array; must not modify `values`.
   */
  applyToValues?(values: Float32Array, shape: readonly number[], random: RandomSource): Float32Array;
}
