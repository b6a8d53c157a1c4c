import * as tf from '@tensorflow/tfjs-core';

/**
 * [B, …] → [B, D], one row per example, as PyTorch's `x.flatten(1)` / `x.view(B, -1)`: relation methods compare
 * examples, so an NHWC map is one long vector per example (h, w, c order; the relations are invariant to it).
 */
export function flattenExamples(features: tf.Tensor): tf.Tensor2D {
  const batch = features.shape[0] as number;
  return tf.reshape(features, [batch, features.size / Math.max(batch, 1)]);
}
