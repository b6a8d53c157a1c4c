import type * as tf from '@tensorflow/tfjs-core';

/**
 * One classifier's outputs for a batch in "Be Your Own Teacher": its feature f [B, D] (the globally pooled map its
 * dense layer reads) and its logits z [B, classes]. A shallow head yields both; for the deepest classifier they are the
 * student's penultimate feature and logits.
 */
export interface ByotOutputs {
  readonly feature: tf.Tensor2D;
  readonly logits: tf.Tensor2D;
}
