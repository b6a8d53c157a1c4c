import * as tf from '@tensorflow/tfjs-core';
import { meanRowPearson } from './meanRowPearson.js';
import { validateLogitPair } from './validateLogitPair.js';
import { validateTemperature } from './validateTemperature.js';

/**
 * The two relations of DIST, each T²-scaled and unweighted (before β and γ).
 *
 * Huang, You, Wang, Qian, Xu 2022, "Knowledge Distillation from A Stronger Teacher" (NeurIPS); reference code
 * hunto/DIST_KD. With p = softmax(z/T) and pearson = cosine of the centred vectors (see {@link meanRowPearson}):
 *
 *   inter = T² · (1 − (1/B) Σ_b pearson(p_s[b, :], p_t[b, :]))    relation between classes, per example
 *   intra = T² · (1 − (1/C) Σ_c pearson(p_s[:, c], p_t[:, c]))    relation between examples, per class
 *
 * @param studentLogits z_s, [B, C]
 * @param teacherLogits z_t, [B, C]
 */
export function distTerms(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  options: { temperature: number },
): { inter: tf.Scalar; intra: tf.Scalar } {
  const { temperature } = options;
  validateLogitPair('distLoss', studentLogits, teacherLogits);
  validateTemperature('distLoss', temperature);
  return tf.tidy(() => {
    const studentProbs = tf.softmax(tf.div(studentLogits, temperature)) as tf.Tensor2D;
    const teacherProbs = tf.softmax(tf.div(teacherLogits, temperature)) as tf.Tensor2D;
    const squaredTemperature = temperature * temperature;
    const relationLoss = (pearson: tf.Scalar) => tf.mul(tf.sub(1, pearson), squaredTemperature) as tf.Scalar;
    return {
      inter: relationLoss(meanRowPearson(studentProbs, teacherProbs)),
      intra: relationLoss(meanRowPearson(tf.transpose(studentProbs), tf.transpose(teacherProbs))),
    };
  });
}
