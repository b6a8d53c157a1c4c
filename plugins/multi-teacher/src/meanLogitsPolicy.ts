import * as tf from '@tensorflow/tfjs-core';
import { rejectPolicyOptions } from './rejectPolicyOptions.js';
import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';
import { uniformWeights } from './uniformWeights.js';

/**
 * `mean-logits`: the teachers' logits are averaged before the softmax (the geometric-mean ensemble):
 *
 *   target = softmax( (1/K) Σ_k z_k / T ),   weights w_bk = 1/K
 */
export const meanLogitsPolicy: TeacherWeightingPolicy = {
  key: 'mean-logits',
  description: 'one target: the softmax of the mean logits, softmax((1/K) Σ z_k / T)',
  kind: 'target',
  weights: ({ teacherLogits }) => uniformWeights(teacherLogits[0]?.shape[0] ?? 0, teacherLogits.length),
  target: ({ teacherLogits, temperature }) =>
    tf.tidy(() => tf.softmax(tf.div(tf.addN([...teacherLogits]), teacherLogits.length * temperature)) as tf.Tensor2D),
  validateOptions: (options) => rejectPolicyOptions('mean-logits', options),
};
