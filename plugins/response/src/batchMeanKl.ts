import * as tf from '@tensorflow/tfjs-core';

/**
 * (1/B) Σ_b KL(p_b ‖ q_b) = (1/B) Σ_b Σ_c p_bc (log p_bc − log q_bc), from log-probabilities [B, C].
 * Working in log space keeps a zero teacher probability a finite 0 · (−large) = 0 term instead of 0 · log 0 = NaN.
 */
export function batchMeanKl(targetLogProbs: tf.Tensor2D, predictedLogProbs: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const pointwise = tf.mul(tf.exp(targetLogProbs), tf.sub(targetLogProbs, predictedLogProbs));
    return tf.div(tf.sum(pointwise), targetLogProbs.shape[0]) as tf.Scalar;
  });
}
