import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { CorrelationCongruenceLossOptions } from './CorrelationCongruenceLossOptions.js';
import { flattenExamples } from './flattenExamples.js';
import { normalizeAlongAxis } from './normalizeAlongAxis.js';
import { validateRelationPair } from './validateRelationPair.js';

/**
 * Correlation congruence: match the student's example-to-example correlation matrix to the teacher's.
 *
 * Peng, Jin, Liu, Li, Wu, Liu, Zhou, Zhang 2019, "Correlation Congruence for Knowledge Distillation" (ICCV), the
 * correlation term with the Gaussian RBF kernel approximated by its P-order Taylor series. On the flattened features
 * f_i (L2-normalised per row when `normalize`), per network
 *
 *   C_ij = exp(−2γ) Σ_{p=0..P} (2γ)^p / p! · (f_i·f_j)^p                                       [B, B]
 *
 * For unit rows exp(−γ|f_i − f_j|²) = exp(−2γ) · exp(2γ f_i·f_j), whose series this truncates. Then
 *
 *   norm 'squared' (default, the paper's): CC = ‖C_t − C_s‖²_F / B²,  row b's share Σ_j (C_t − C_s)²_bj / B
 *   norm 'frobenius' (torchdistill's):     CC = ‖C_t − C_s‖_F / B²    (a square root: no per-example share)
 *
 * reduction 'none' gives the [B] shares, whose mean is the 'squared' scalar; with 'frobenius' it is an error.
 * PyTorch: `F.mse_loss(C(F.normalize(f_s)), C(F.normalize(f_t)))` with C the series above.
 * References: the defaults (γ = 0.4, P = 2, normalised rows, mean squared error) are those of
 * AberHu/Knowledge-Distillation-Zoo kd_losses/cc.py. torchdistill's CCKDLoss ('gaussian' kernel_config with gamma and
 * max_p) applies the series to its linear embeddings without normalising (`normalize: false`) and reduces with
 * `torch.dist(C_s, C_t) / B²`, the norm itself rather than its square (`norm: 'frobenius'`). RepDistiller's
 * distiller_zoo/CC.py computes a different quantity (products of neighbouring |f_s − f_t| rows) and is not followed.
 *
 * @param student [B, …], flattened per example
 * @param teacher [B, …], flattened per example; its size may differ from the student's
 * @returns a scalar, or [B] with `reduction: 'none'`
 */
export function correlationCongruenceLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options?: CorrelationCongruenceLossOptions & { readonly reduction?: 'mean' },
): tf.Scalar;
export function correlationCongruenceLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: CorrelationCongruenceLossOptions & { readonly reduction: 'none' },
): tf.Tensor1D;
export function correlationCongruenceLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options?: CorrelationCongruenceLossOptions,
): tf.Scalar | tf.Tensor1D;
export function correlationCongruenceLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: CorrelationCongruenceLossOptions = {},
): tf.Scalar | tf.Tensor1D {
  const { gamma = 0.4, order = 2, normalize = true, norm = 'squared', reduction = 'mean' } = options;
  const name = 'correlationCongruenceLoss';
  if (!Number.isFinite(gamma) || gamma <= 0) {
    throw new DistilleryError(`${name}: gamma must be a finite number > 0, got ${gamma}`);
  }
  if (!Number.isInteger(order) || order < 0) {
    throw new DistilleryError(`${name}: order must be an integer ≥ 0, got ${order}`);
  }
  if (norm !== 'squared' && norm !== 'frobenius') {
    throw new DistilleryError(`${name}: norm must be 'squared' or 'frobenius', got '${norm}'`);
  }
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`${name}: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  if (norm === 'frobenius' && reduction === 'none') {
    throw new DistilleryError(
      `${name}: norm 'frobenius' is a square root over the whole batch and has no per-example share; use reduction 'mean' or norm 'squared'`,
    );
  }
  validateRelationPair(name, student, teacher);
  const batch = student.shape[0] as number;
  return tf.tidy(() => {
    const correlation = (features: tf.Tensor) => {
      const rows = flattenExamples(features);
      const unitRows = normalize ? normalizeAlongAxis(rows, 1) : rows;
      const similarity = tf.matMul(unitRows, unitRows, false, true);
      // Σ_p c_p · S^p with c_p = exp(−2γ) (2γ)^p / p!, the powers taken entrywise.
      let coefficient = Math.exp(-2 * gamma);
      let power: tf.Tensor = similarity;
      let sum: tf.Tensor = tf.fill([batch, batch], coefficient);
      for (let p = 1; p <= order; p++) {
        coefficient *= (2 * gamma) / p;
        sum = tf.add(sum, tf.mul(power, coefficient));
        if (p < order) power = tf.mul(power, similarity);
      }
      return sum;
    };
    const squared = tf.square(tf.sub(correlation(teacher), correlation(student)));
    if (norm === 'frobenius') {
      // ‖D‖_F = s / √s with s = ΣD², floored inside the root: 0 (not √1e-24) at D = 0, and a finite gradient there,
      // where the gradient of √ at 0 would be 0 · ∞ = NaN.
      const total = tf.sum(squared);
      return tf.div(tf.div(total, tf.sqrt(tf.maximum(total, 1e-24))), batch * batch) as tf.Scalar;
    }
    const perExample = tf.div(tf.sum(squared, 1), batch) as tf.Tensor1D;
    return reduction === 'none' ? perExample : (tf.mean(perExample) as tf.Scalar);
  });
}
