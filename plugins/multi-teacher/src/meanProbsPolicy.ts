import * as tf from '@tensorflow/tfjs-core';
import { rejectPolicyOptions } from './rejectPolicyOptions.js';
import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';
import { uniformWeights } from './uniformWeights.js';

/**
 * `mean-probs`: the ensemble of Hinton, Vinyals, Dean 2015 ("Distilling the Knowledge in a Neural Network",
 * section 1: the average of the models' predictions) as one target:
 *
 *   target = (1/K) Σ_k softmax(z_k / T),   weights w_bk = 1/K
 */
export const meanProbsPolicy: TeacherWeightingPolicy = {
  key: 'mean-probs',
  description: 'one target: the mean of the teachers’ softened probabilities (1/K) Σ softmax(z_k/T) (Hinton 2015)',
  kind: 'target',
  weights: ({ teacherLogits }) => uniformWeights(teacherLogits[0]?.shape[0] ?? 0, teacherLogits.length),
  target: ({ teacherLogits, temperature }) =>
    tf.tidy(() => {
      const probabilities = teacherLogits.map((logits) => tf.softmax(tf.div(logits, temperature)));
      return tf.div(tf.addN(probabilities), teacherLogits.length) as tf.Tensor2D;
    }),
  validateOptions: (options) => rejectPolicyOptions('mean-probs', options),
};
