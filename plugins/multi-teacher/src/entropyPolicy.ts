import * as tf from '@tensorflow/tfjs-core';
import { rejectPolicyOptions } from './rejectPolicyOptions.js';
import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

/**
 * `entropy`: entropy-based weighting, EBKD (Kwon, Na, Hwang, Hwang 2020, "Adaptive Knowledge Distillation
 * Based on Entropy", ICASSP; as the EBKD baseline in Rorozhl/CA-MKD `helper/loops.py`). A teacher that is
 * sure of an example (low entropy) gets more weight there:
 *
 *   H_bk = −Σ_c p_bkc log p_bkc,  p_k = softmax(z_k / T)
 *   w_bk = ( 1 − H_bk / Σ_j H_bj ) / (K − 1),   K = 1: w = 1
 *
 * The CA-MKD code takes H at T = 1 and leaves out the 1/(K − 1); we follow the formula above, so the
 * weights are an average (rows sum to 1). Where every teacher is certain (Σ_j H_bj = 0) the row is 1/K.
 */
export const entropyPolicy: TeacherWeightingPolicy = {
  key: 'entropy',
  description: 'EBKD (Kwon et al. 2020): per example, w = (1 − H_k / Σ_j H_j) / (K − 1), H the entropy of softmax(z_k/T)',
  kind: 'weights',
  weights: ({ teacherLogits, temperature }) =>
    tf.tidy(() => {
      const teacherCount = teacherLogits.length;
      const batchSize = teacherLogits[0]?.shape[0] ?? 0;
      if (teacherCount === 1) return tf.ones([batchSize, 1]) as tf.Tensor2D;
      const entropies = teacherLogits.map((logits) => {
        const logProbabilities = tf.logSoftmax(tf.div(logits, temperature));
        return tf.neg(tf.sum(tf.mul(tf.exp(logProbabilities), logProbabilities), 1));
      });
      const stacked = tf.stack(entropies, 1) as tf.Tensor2D;
      const total = tf.sum(stacked, 1, true);
      const certain = tf.lessEqual(total, 0);
      const shares = tf.where(
        tf.broadcastTo(certain, stacked.shape),
        tf.fill(stacked.shape, 1 / teacherCount),
        tf.div(stacked, tf.where(certain, tf.onesLike(total), total)),
      );
      return tf.div(tf.sub(1, shares), teacherCount - 1) as tf.Tensor2D;
    }),
  validateOptions: (options) => rejectPolicyOptions('entropy', options),
};
