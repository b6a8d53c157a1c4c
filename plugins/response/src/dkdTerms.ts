import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { batchMeanKl } from './batchMeanKl.js';
import { standardizeLogits } from './standardizeLogits.js';
import { validateLabels } from './validateLabels.js';
import { validateLogitPair } from './validateLogitPair.js';
import { validateTemperature } from './validateTemperature.js';

/**
 * mdistiller's `1000.0 * gt_mask`: subtracting it from z/T takes the target class out of a softmax
 * (its probability underflows to 0) while keeping the tensor shape.
 */
const TARGET_MASK_MAGNITUDE = 1000;

/** Options of {@link dkdTerms}; `reduction` picks the batch mean (default) or one value per example. */
interface DkdTermsOptions {
  readonly temperature: number;
  readonly standardize?: boolean;
  readonly reduction?: 'mean' | 'none';
}

/**
 * The two parts of Decoupled Knowledge Distillation, each T²-scaled and averaged over the batch (or, with
 * `reduction: 'none'`, one value per example).
 *
 * Zhao, Cui, Song, Qiu, Liang 2022, "Decoupled Knowledge Distillation" (CVPR), following the reference
 * code mdistiller `mdistiller/distillers/DKD.py` (`dkd_loss`):
 *
 *   b = [p_y, 1 − p_y] with p = softmax(z/T)                          binary target / non-target mass
 *   TCKD = T² · (1/B) Σ_b KL( b_t ‖ b_s )
 *   NCKD = T² · (1/B) Σ_b KL( softmax(z_t/T − 1000·onehot(y)) ‖ softmax(z_s/T − 1000·onehot(y)) )
 *
 * mdistiller takes `torch.log` of b_s; here b is the log-softmax of the two logits
 * [z_y/T, logsumexp_{c≠y} z_c/T], which is the same distribution without log(0) when p_y rounds to 1.
 *
 * `reduction: 'none'` gives each example's T²-scaled KL instead, TCKD_b and NCKD_b, each [B], whose batch mean is
 * the scalar (the rows of mdistiller's summed `F.kl_div`, before its division by B); `multi.dkd` weighs them per
 * example. `'mean'` (the default) computes exactly as before the option existed.
 *
 * `standardize: true` is "DKD + LS" (Sun et al. 2024, see {@link standardizeLogits}): both logits are z-scored per
 * example before anything else, as in the authors' `dkd_loss`; T then acts as a base temperature.
 *
 * @param studentLogits z_s, [B, C]
 * @param teacherLogits z_t, [B, C]
 * @param labels y, int32 class indices [B]; indices outside [0, C) are not checked and act as "no target class"
 * @returns scalars, or [B] each with `reduction: 'none'`
 */
export function dkdTerms(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: DkdTermsOptions & { readonly reduction?: 'mean' },
): { tckd: tf.Scalar; nckd: tf.Scalar };
export function dkdTerms(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: DkdTermsOptions & { readonly reduction: 'none' },
): { tckd: tf.Tensor1D; nckd: tf.Tensor1D };
export function dkdTerms(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: DkdTermsOptions,
): { tckd: tf.Scalar | tf.Tensor1D; nckd: tf.Scalar | tf.Tensor1D };
export function dkdTerms(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: DkdTermsOptions,
): { tckd: tf.Scalar | tf.Tensor1D; nckd: tf.Scalar | tf.Tensor1D } {
  const { temperature, standardize = false, reduction = 'mean' } = options;
  validateLogitPair('dkdLoss', studentLogits, teacherLogits);
  validateLabels('dkdLoss', labels, studentLogits);
  validateTemperature('dkdLoss', temperature);
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`dkdLoss: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  return tf.tidy(() => {
    const targetMask = tf.oneHot(labels, studentLogits.shape[1]);
    const squaredTemperature = temperature * temperature;
    const targetLogProbs = (logits: tf.Tensor2D) => {
      const scaled = tf.div(logits, temperature);
      const maskedScaled = tf.sub(scaled, tf.mul(targetMask, TARGET_MASK_MAGNITUDE)) as tf.Tensor2D;
      const targetLogit = tf.sum(tf.mul(scaled, targetMask), 1);
      const nonTargetLogit = tf.logSumExp(maskedScaled, 1);
      return {
        binary: tf.logSoftmax(tf.stack([targetLogit, nonTargetLogit], 1)) as tf.Tensor2D,
        nonTarget: tf.logSoftmax(maskedScaled) as tf.Tensor2D,
      };
    };
    const teacher = targetLogProbs(standardize ? standardizeLogits(teacherLogits) : teacherLogits);
    const student = targetLogProbs(standardize ? standardizeLogits(studentLogits) : studentLogits);
    if (reduction === 'none') {
      return {
        tckd: tf.mul(exampleKl(teacher.binary, student.binary), squaredTemperature) as tf.Tensor1D,
        nckd: tf.mul(exampleKl(teacher.nonTarget, student.nonTarget), squaredTemperature) as tf.Tensor1D,
      };
    }
    return {
      tckd: tf.mul(batchMeanKl(teacher.binary, student.binary), squaredTemperature) as tf.Scalar,
      nckd: tf.mul(batchMeanKl(teacher.nonTarget, student.nonTarget), squaredTemperature) as tf.Scalar,
    };
  });
}

/** KL(p_b ‖ q_b) of each row, [B], from log-probabilities [B, C]: the terms {@link batchMeanKl} averages. */
function exampleKl(targetLogProbs: tf.Tensor2D, predictedLogProbs: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(tf.exp(targetLogProbs), tf.sub(targetLogProbs, predictedLogProbs)), 1) as tf.Tensor1D;
}
