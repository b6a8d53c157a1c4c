import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { MultiTeacherOptions } from './MultiTeacherOptions.js';
import { policyTarget } from './policyTarget.js';
import { policyWeights } from './policyWeights.js';
import { preparePolicyCall } from './preparePolicyCall.js';

/** Below the smallest normal float32; keeps 0 · log(0) a finite 0 for targets with exact zeros. */
const PROBABILITY_FLOOR = 1e-37;

/**
 * Multi-teacher knowledge distillation (the Multi-teacher section of the KD reference), Hinton KD
 * (Hinton, Vinyals, Dean 2015, section 2) generalised to K teachers by a policy:
 *
 *   target-combining policies (mean-probs, mean-logits):
 *     loss = T² · (1/B) Σ_b KL( target_b ‖ softmax(z_s/T)_b )
 *   weighting policies (uniform, weighted, confidence (CA-MKD, Zhang et al. 2022), entropy (EBKD), random):
 *     loss = (1/B) Σ_b Σ_k w_bk · T² · KL( softmax(z_k/T)_b ‖ softmax(z_s/T)_b )
 *
 * with KL(p ‖ q) = Σ_c p_c (log p_c − log q_c). With one teacher every policy is plain KD (`kdLoss`). Each
 * teacher's KL works from log-softmax, never log(softmax); a combined target with exact zeros contributes
 * 0 there. The teachers' logits and the weights are constants to the student: gradients flow to z_s only.
 *
 * @param studentLogits z_s [B, C]
 * @param teacherLogits z_k, K ≥ 1 tensors [B, C]
 * @param labels true class indices [B], int32 (read by `confidence`)
 * @returns a scalar
 */
export function multiTeacherKdLoss(
  studentLogits: tf.Tensor,
  teacherLogits: readonly tf.Tensor[],
  labels: tf.Tensor,
  options: MultiTeacherOptions,
): tf.Scalar {
  const { policy, input } = preparePolicyCall('multiTeacherKdLoss', teacherLogits, labels, options);
  const teacherShape = (teacherLogits[0] as tf.Tensor).shape;
  if (!tf.util.arraysEqual(studentLogits.shape, teacherShape)) {
    throw new DistilleryError(
      `multiTeacherKdLoss: student logits [${studentLogits.shape.join(', ')}] and teacher logits [${teacherShape.join(', ')}] differ in shape`,
    );
  }
  const { temperature } = input;
  return tf.tidy(() => {
    const studentLogProbabilities = tf.logSoftmax(tf.div(studentLogits, temperature));
    const batchSize = studentLogits.shape[0] as number;
    const scale = (temperature * temperature) / batchSize;
    if (policy.kind === 'target') {
      const target = policyTarget(policy, input);
      const targetLogProbabilities = tf.log(tf.maximum(target, PROBABILITY_FLOOR));
      return tf.mul(tf.sum(tf.mul(target, tf.sub(targetLogProbabilities, studentLogProbabilities))), scale) as tf.Scalar;
    }
    const perTeacher = input.teacherLogits.map((logits) => {
      const teacherLogProbabilities = tf.logSoftmax(tf.div(logits, temperature));
      return tf.sum(tf.mul(tf.exp(teacherLogProbabilities), tf.sub(teacherLogProbabilities, studentLogProbabilities)), 1);
    });
    const divergences = tf.stack(perTeacher, 1);
    return tf.mul(tf.sum(tf.mul(policyWeights(policy, input), divergences)), scale) as tf.Scalar;
  });
}
