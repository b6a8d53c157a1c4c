import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { dkdTerms } from './dkdTerms.js';

/** Options of {@link dkdLoss}; `reduction` picks the batch mean (default) or one value per example. */
interface DkdLossOptions {
  readonly alpha: number;
  readonly beta: number;
  readonly temperature: number;
  readonly standardize?: boolean;
  readonly reduction?: 'mean' | 'none';
}

/**
 * Decoupled Knowledge Distillation.
 *
 * Zhao, Cui, Song, Qiu, Liang 2022, "Decoupled Knowledge Distillation" (CVPR); reference code mdistiller
 * `mdistiller/distillers/DKD.py` (`dkd_loss`), followed exactly:
 *
 *   DKD = α · TCKD + β · NCKD
 *   TCKD = T² · (1/B) Σ_b KL( [p_t,y, 1 − p_t,y] ‖ [p_s,y, 1 − p_s,y] ),  p = softmax(z/T)
 *   NCKD = T² · (1/B) Σ_b KL( softmax(z_t/T − 1000·onehot(y)) ‖ softmax(z_s/T − 1000·onehot(y)) )
 *
 * Classical KD equals TCKD + (1 − p_t,y) · NCKD; dropping the (1 − p_t,y) factor and weighting the parts
 * separately is the decoupling. The paper's CIFAR-100 settings are α = 1, β = 8, T = 4. See {@link dkdTerms}.
 * `standardize: true` z-scores both logits first ("DKD + LS", Sun et al. 2024; see {@link standardizeLogits}).
 * `reduction: 'none'` gives each example's α · TCKD_b + β · NCKD_b, [B], whose batch mean is the scalar.
 *
 * @param studentLogits z_s, [B, C]
 * @param teacherLogits z_t, [B, C]
 * @param labels y, int32 class indices [B]
 * @returns a scalar, or [B] with `reduction: 'none'`
 */
export function dkdLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: DkdLossOptions & { readonly reduction?: 'mean' },
): tf.Scalar;
export function dkdLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: DkdLossOptions & { readonly reduction: 'none' },
): tf.Tensor1D;
export function dkdLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: DkdLossOptions,
): tf.Scalar | tf.Tensor1D;
export function dkdLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: DkdLossOptions,
): tf.Scalar | tf.Tensor1D {
  const { alpha, beta, temperature, standardize = false, reduction } = options;
  for (const [name, weight] of Object.entries({ alpha, beta })) {
    if (!Number.isFinite(weight)) throw new DistilleryError(`dkdLoss: ${name} must be a finite number, got ${weight}`);
  }
  return tf.tidy(() => {
    const { tckd, nckd } = dkdTerms(studentLogits, teacherLogits, labels, { temperature, standardize, reduction });
    return tf.add(tf.mul(tckd, alpha), tf.mul(nckd, beta)) as tf.Scalar | tf.Tensor1D;
  });
}
