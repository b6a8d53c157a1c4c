import * as tf from '@tensorflow/tfjs-core';

/**
 * L2-normalises `x` along `axis`, as PyTorch's `F.normalize(x, dim=axis, eps=1e-12)`: x / max(|x|, 1e-12).
 *
 * Written as x / √max(|x|², 1e-24) rather than x / max(√|x|², 1e-12): an all-zero vector (a dead channel, a blank
 * example) then maps to 0 with a finite gradient, where the gradient of √ at 0 would turn into 0 · ∞ = NaN.
 */
export function normalizeAlongAxis<T extends tf.Tensor>(x: T, axis: number): T {
  return tf.tidy(() => {
    const squaredNorm = tf.sum(tf.square(x), axis, true);
    return tf.div(x, tf.sqrt(tf.maximum(squaredNorm, 1e-24))) as T;
  });
}
