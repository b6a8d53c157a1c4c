import * as tf from '@tensorflow/tfjs-core';
import { batchMeanKl } from './batchMeanKl.js';
import { standardizeLogits } from './standardizeLogits.js';
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
 * `standardize: true` is "KD + LS" (Sun et al. 2024, see {@link standardizeLogits}): both logits are z-scored per
 * example first, then divided by T and scaled by T² as above. T then acts as a base temperature over each example's
 * own standard deviation; the authors' CIFAR-100 runs use T = 2 with the KD weight raised to 9.
 *
 * @param studentLogits z_s, [B, C]
 * @param teacherLogits z_t, [B, C]; the kernel computes them outside the gradient tape, so no gradient reaches the teacher
 * @returns a scalar
 */
export function kdLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  options: { temperature: number; standardize?: boolean },
): tf.Scalar {
  const { temperature, standardize = false } = options;
  validateLogitPair('kdLoss', studentLogits, teacherLogits);
  validateTemperature('kdLoss', temperature);
  return tf.tidy(() => {
    const teacher = standardize ? standardizeLogits(teacherLogits) : teacherLogits;
    const student = standardize ? standardizeLogits(studentLogits) : studentLogits;
    const teacherLogProbs = tf.logSoftmax(tf.div(teacher, temperature)) as tf.Tensor2D;
    const studentLogProbs = tf.logSoftmax(tf.div(student, temperature)) as tf.Tensor2D;
    return tf.mul(batchMeanKl(teacherLogProbs, studentLogProbs), temperature * temperature) as tf.Scalar;
  });
}
