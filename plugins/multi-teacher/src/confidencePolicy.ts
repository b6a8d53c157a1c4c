import * as tf from '@tensorflow/tfjs-core';
import { rejectPolicyOptions } from './rejectPolicyOptions.js';
import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

/**
 * `confidence`: CA-MKD, confidence-aware multi-teacher KD (Zhang, Chen, Wang 2022, "Confidence-Aware
 * Multi-Teacher Knowledge Distillation", ICASSP; reference code Rorozhl/CA-MKD `helper/loops.py`,
 * `ensemble_method == 'CAMKD'`). A teacher that is wrong on an example (high cross-entropy on its true
 * label) gets less weight there:
 *
 *   CE_bk = −log softmax(z_k)_{b, y_b}                      (T = 1, as `nn.CrossEntropyLoss(reduction='none')`)
 *   w_bk  = ( 1 − exp(CE_bk) / Σ_j exp(CE_bj) ) / (K − 1),   K = 1: w = 1
 *
 * The reference also divides its loss by K; we do not, so the weights stay an average (rows sum to 1).
 */
export const confidencePolicy: TeacherWeightingPolicy = {
  key: 'confidence',
  description: 'CA-MKD (Zhang et al. 2022): per example, w = (1 − softmax_k(CE_k)) / (K − 1) from each teacher’s CE on the label',
  kind: 'weights',
  weights: ({ teacherLogits, labels }) =>
    tf.tidy(() => {
      const teacherCount = teacherLogits.length;
      const batchSize = teacherLogits[0]?.shape[0] ?? 0;
      if (teacherCount === 1) return tf.ones([batchSize, 1]) as tf.Tensor2D;
      const numClasses = teacherLogits[0]?.shape[1] ?? 0;
      const truth = tf.oneHot(labels, numClasses);
      const crossEntropies = teacherLogits.map((logits) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), truth), 1)));
      const stacked = tf.stack(crossEntropies, 1) as tf.Tensor2D;
      return tf.div(tf.sub(1, tf.softmax(stacked)), teacherCount - 1) as tf.Tensor2D;
    }),
  validateOptions: (options) => rejectPolicyOptions('confidence', options),
};
