import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { flattenExamples } from './flattenExamples.js';
import type { RelationReduction } from './RelationReduction.js';
import { validateRelationPair } from './validateRelationPair.js';

/** The authors' ε, both in x / (|x| + ε) and in log((P_t + ε) / (P_s + ε)). */
const PKT_EPSILON = 1e-7;

/**
 * A floor under Σ x² before the square root: √ has an infinite derivative at 0, so an all-zero row would give NaN
 * gradients. The value changes only for rows with Σ x² < 1e-30, which x / (|x| + 1e-7) maps to ~0 either way.
 */
const SQUARED_NORM_FLOOR = 1e-30;

/** P = K / rowsum(K) with K = (cos + 1) / 2 over the rows of `features`, [B, B]. */
function conditionalProbabilities(features: tf.Tensor): tf.Tensor2D {
  const rows = flattenExamples(features);
  const norms = tf.sqrt(tf.maximum(tf.sum(tf.square(rows), 1, true), SQUARED_NORM_FLOOR));
  const unit = tf.div(rows, tf.add(norms, PKT_EPSILON));
  const kernel = tf.div(tf.add(tf.matMul(unit, unit, false, true), 1), 2);
  return tf.div(kernel, tf.sum(kernel, 1, true)) as tf.Tensor2D;
}

/**
 * Probabilistic knowledge transfer: the student matches the teacher's distribution of cosine similarities
 * between the examples of a batch.
 *
 * Passalis, Tefas 2018, "Learning Deep Representations with Probabilistic Knowledge Transfer" (ECCV); reference
 * code RepDistiller `distiller_zoo/PKT.py` (the authors' `cosine_similarity_loss`). With ε = 1e-7, per side:
 *
 *   x ← x / (|x| + ε) per example;  K = (x xᵀ + 1) / 2;  P_ij = K_ij / Σ_k K_ik
 *   PKT = (1/B²) Σ_ij P_t,ij · log((P_t,ij + ε) / (P_s,ij + ε))
 *
 * PyTorch: `PKT()(f_s, f_t)` = `torch.mean(p_t * torch.log((p_t + eps) / (p_s + eps)))` over the B × B matrices.
 * `reduction: 'none'` gives each example's row, PKT_b = (1/B) Σ_j …, [B], whose mean is the scalar. The mean over
 * B² entries is the KL divergence summed over rows divided by B², as in the reference; like it, the kernel keeps
 * its diagonal (K_ii = 1). Differences: the reference takes [B, D] features and normalises dim 1 only, here any
 * [B, …] is flattened per example first; its `x[x != x] = 0` (which catches NaN from NaN input) is left out, and
 * √ is floored (above) so an all-zero row has finite gradients.
 *
 * @param student [B, …], flattened per example
 * @param teacher [B, …], flattened per example (its size may differ from the student's); no gradient is taken through it
 * @returns a scalar, or [B] with `reduction: 'none'`
 */
export function pktLoss(student: tf.Tensor, teacher: tf.Tensor, options?: { readonly reduction?: 'mean' }): tf.Scalar;
export function pktLoss(student: tf.Tensor, teacher: tf.Tensor, options: { readonly reduction: 'none' }): tf.Tensor1D;
export function pktLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options?: { readonly reduction?: RelationReduction },
): tf.Scalar | tf.Tensor1D;
export function pktLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: { readonly reduction?: RelationReduction } = {},
): tf.Scalar | tf.Tensor1D {
  validateRelationPair('pktLoss', student, teacher);
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`pktLoss: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  return tf.tidy(() => {
    const studentProbabilities = conditionalProbabilities(student);
    const teacherProbabilities = conditionalProbabilities(teacher);
    const logRatio = tf.log(tf.div(tf.add(teacherProbabilities, PKT_EPSILON), tf.add(studentProbabilities, PKT_EPSILON)));
    const terms = tf.mul(teacherProbabilities, logRatio);
    return reduction === 'none' ? (tf.mean(terms, 1) as tf.Tensor1D) : (tf.mean(terms) as tf.Scalar);
  });
}
