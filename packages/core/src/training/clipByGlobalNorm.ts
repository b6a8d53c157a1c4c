import * as tf from '@tensorflow/tfjs-core';

/**
 * Scales all gradients by min(1, maxNorm / ‖g‖₂) where ‖g‖₂ is their joint L2 norm
 * (Pascanu et al. 2013), so their direction is kept. Call inside a tidy.
 */
export function clipByGlobalNorm(gradients: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const names = Object.keys(gradients);
  if (names.length === 0) return gradients;
  const squaredSums = names.map((name) => tf.sum(tf.square(gradients[name] as tf.Tensor)));
  const norm = tf.sqrt(tf.addN(squaredSums));
  const scale = tf.minimum(1, tf.div(maxNorm, tf.maximum(norm, 1e-12)));
  const clipped: tf.NamedTensorMap = {};
  for (const name of names) clipped[name] = tf.mul(gradients[name] as tf.Tensor, scale);
  return clipped;
}
