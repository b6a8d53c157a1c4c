import * as tf from '@tensorflow/tfjs-core';
import type { MultiTeacherOptions } from './MultiTeacherOptions.js';
import { policyTarget } from './policyTarget.js';
import { policyWeights } from './policyWeights.js';
import { preparePolicyCall } from './preparePolicyCall.js';

/**
 * Combines K teachers under a policy (see the Multi-teacher section of the KD reference):
 *
 *   weights  w [B, K], rows summing to 1 (1/K for the target-combining policies)
 *   target   [B, C] probabilities: the policy's own target (mean-probs: (1/K) Σ_k softmax(z_k/T);
 *            mean-logits: softmax((1/K) Σ_k z_k / T)), or for weighting policies Σ_k w_bk softmax(z_k/T)
 *
 * Built-in policies are found by key without a container; pass a {@link TeacherWeightingPolicy} object to
 * use your own. Both returned tensors belong to the caller.
 *
 * @param teacherLogits z_k, K ≥ 1 tensors [B, C]
 * @param labels true class indices [B], int32
 */
export function combineTeachers(
  teacherLogits: readonly tf.Tensor[],
  labels: tf.Tensor,
  options: MultiTeacherOptions,
): { target: tf.Tensor2D; weights: tf.Tensor2D } {
  const { policy, input } = preparePolicyCall('combineTeachers', teacherLogits, labels, options);
  const [target, weights] = tf.tidy(() => {
    const weights = policyWeights(policy, input);
    return [policyTarget(policy, input, weights), weights];
  });
  return { target, weights };
}
