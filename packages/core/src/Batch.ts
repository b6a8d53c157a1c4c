import type { Tensor, Tensor1D } from '@tensorflow/tfjs-core';

/** One batch of examples. Whoever receives a batch from a {@link Dataset} owns its tensors and disposes them. */
export interface Batch {
  readonly inputs: Tensor;
  /** Integer class indices [B], int32. */
  readonly labels: Tensor1D;
}
