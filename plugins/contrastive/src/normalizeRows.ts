import * as tf from '@tensorflow/tfjs-core';

/**
 * Each row of x [B, D] divided by its L2 norm (RepDistiller's `Normalize(2)`, PyTorch
 * `x / x.pow(2).sum(1, keepdim=True).sqrt()`): CRD's embeddings and memory rows live on the unit sphere.
 * Σ x² is floored at 1e-24 under the square root, so an all-zero row gives 0 with finite gradients where the
 * reference gives NaN; every other row is unchanged by the floor.
 */
export function normalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), 1e-24))));
}
