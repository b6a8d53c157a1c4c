import type { Tensor, Tensor1D } from '@tensorflow/tfjs-core';

/** One batch of examples. Whoever receives a batch from a {@link Dataset} owns its tensors and disposes them. */
export interface Batch {
  readonly inputs: Tensor;
  /** Integer class indices [B], int32. */
  readonly labels: Tensor1D;
  /**
   * Where each example sits in its dataset (0 … size − 1), when the dataset says: what per-example caches
   * (the teacher-output cache) are keyed on.
   */
  readonly indices?: Int32Array;
}
