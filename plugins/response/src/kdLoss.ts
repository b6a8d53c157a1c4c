import * as tf from '@tensorflow/tfjs-core';
import { batchMeanKl } from './batchMeanKl.js';
import { validateLogitPair } from './validateLogitPair.js';
import { validateTemperature } from './validateTemperature.js';

/**
 * Hinton knowledge distillation.
 *
 * Hinton, Vinyals, Dean 2015, "Distilling the Knowledge in a Neural Network", section 2:
 *
 *   KD = T² · (1/B) Σ_b KL( softmax(z_t/T)_b ‖ softmax(z_s/T)_b ),  KL(p ‖ q) = Σ_c p_c (log p_c − log q_c)
 *
 * the same as PyTorch's `F.kl_div(F.log_softmax(z_s/T), F.softmax(z_t/T), reduction='batchmean') · T²`.
 * The T² factor keeps the gradient's scale independent of T: ∂KD/∂z_s = T · (softmax(z_s/T) − softmax(z_t/T)) / B.
 * Both distributions come from log-softmax, never log(softmax), so nothing underflows to log(0).
 *
 * @param studentLogits z_s, [B, C]
 * @param teacherLogits z_t, [B, C]; the kernel computes them outside the gradient tape, so no gradient reaches the teacher
 * @returns a scalar
 */
export function kdLoss(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, options: { temperature: number }): tf.Scalar {
  const { temperature } = options;
  validateLogitPair('kdLoss', studentLogits, teacherLogits);
  validateTemperature('kdLoss', temperature);
  return tf.tidy(() => {
    const teacherLogProbs = tf.logSoftmax(tf.div(teacherLogits, temperature)) as tf.Tensor2D;
    const studentLogProbs = tf.logSoftmax(tf.div(studentLogits, temperature)) as tf.Tensor2D;
    return tf.mul(batchMeanKl(teacherLogProbs, studentLogProbs), temperature * temperature) as tf.Scalar;
  });
}
