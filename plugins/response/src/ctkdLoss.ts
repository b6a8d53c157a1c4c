import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { validateLogitPair } from './validateLogitPair.js';

/**
 * Hinton KD at a temperature that is itself a tensor on the gradient tape, the loss CTKD trains its temperature
 * module against (Li, Li, Yang, Cheng, Cui, Xu, Yang 2023, "Curriculum Temperature for Knowledge Distillation",
 * AAAI; Eq. 4 with a learned τ):
 *
 *   loss = (1/B) Σ_b τ_b² · KL( softmax(z_t,b / τ_b) ‖ softmax(z_s,b / τ_b) )
 *
 * with one τ for the batch (`temperatures` of shape [] or [1], CTKD's global temperature; then this equals
 * {@link kdLoss} at that τ) or one per example ([B], the instance-wise variant). The gradient reaches both the
 * student logits and τ; CTKD puts a gradient-reversal layer between τ and its module.
 *
 * Where the reference code differs: its instance-wise path multiplies the batch-mean KL by the vector τ² and lets
 * the trainer average that, (1/B) Σ_b τ_b² · (1/B) Σ_b KL_b; here each example's KL is scaled by its own τ_b², as
 * the paper's per-instance temperature reads. For a global τ the two agree.
 *
 * @param studentLogits z_s, [B, C]
 * @param teacherLogits z_t, [B, C]
 * @param temperatures τ > 0, shape [], [1] or [B]
 */
export function ctkdLoss(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, temperatures: tf.Tensor): tf.Scalar {
  validateLogitPair('ctkdLoss', studentLogits, teacherLogits);
  const batch = studentLogits.shape[0];
  const perExample = temperatures.rank === 1 && temperatures.shape[0] === batch;
  if (!(temperatures.size === 1 && temperatures.rank <= 1) && !perExample) {
    throw new DistilleryError(
      `ctkdLoss: expected temperatures of shape [], [1] or [${batch}] (one per example), got [${temperatures.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const tau = tf.reshape(temperatures, perExample ? [batch, 1] : [1, 1]);
    const teacherLogProbs = tf.logSoftmax(tf.div(teacherLogits, tau));
    const studentLogProbs = tf.logSoftmax(tf.div(studentLogits, tau));
    const klPerExample = tf.sum(tf.mul(tf.exp(teacherLogProbs), tf.sub(teacherLogProbs, studentLogProbs)), 1, true);
    return tf.mean(tf.mul(klPerExample, tf.square(tau))) as tf.Scalar;
  });
}
