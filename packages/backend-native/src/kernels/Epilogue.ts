import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';

/** What a fused kernel applies to its product: `activation(product + bias)`. */
export interface Epilogue {
  readonly bias?: TensorInfo;
  readonly activation: backend_util.Activation;
  readonly preluActivationWeights?: TensorInfo;
  readonly leakyreluAlpha?: number;
}
