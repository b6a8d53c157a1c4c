import type * as tf from '@tensorflow/tfjs-core';
import type { MultiTeacherOptions } from './MultiTeacherOptions.js';
import { policyWeights } from './policyWeights.js';
import { preparePolicyCall } from './preparePolicyCall.js';

/**
 * The per-example teacher weights w [B, K] that `options.policy` gives for these teachers' logits (each
 * row sums to 1; see the policies for their formulas). The caller owns the result.
 *
 * @param teacherLogits z_k, K tensors [B, C]
 * @param labels true class indices [B], int32
 */
export function teacherWeights(
  teacherLogits: readonly tf.Tensor[],
  labels: tf.Tensor,
  options: MultiTeacherOptions,
): tf.Tensor2D {
  const { policy, input } = preparePolicyCall('teacherWeights', teacherLogits, labels, options);
  return policyWeights(policy, input);
}
