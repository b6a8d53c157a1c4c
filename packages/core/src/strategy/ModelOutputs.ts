import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';

/** What one forward pass of a model yields for a batch. */
export interface ModelOutputs {
  /** Pre-softmax scores [B, C]. */
  readonly logits: Tensor2D;
  /** Outputs of the tapped layers, by layer name. Only layers some strategy asked for are present. */
  readonly features: Readonly<Record<string, Tensor>>;
}
