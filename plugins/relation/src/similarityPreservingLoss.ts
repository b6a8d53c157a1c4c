import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { flattenExamples } from './flattenExamples.js';
import type { RelationReduction } from './RelationReduction.js';
import { validateRelationPair } from './validateRelationPair.js';

/**
 * PyTorch's `F.normalize` divides by max(|g|, 1e-12); flooring |g|² at (1e-12)² gives the same value and, unlike √
 * at 0, a finite gradient for an all-zero row (an example whose features are all zero).
 */
const SQUARED_NORM_FLOOR = 1e-24;

/** G = f fᵀ over the flattened examples, each row scaled to unit length, [B, B]. */
function normalisedGram(features: tf.Tensor): tf.Tensor2D {
  const rows = flattenExamples(features);
  const gram = tf.matMul(rows, rows, false, true);
  return tf.div(gram, tf.sqrt(tf.maximum(tf.sum(tf.square(gram), 1, true), SQUARED_NORM_FLOOR))) as tf.Tensor2D;
}

/**
 * Similarity-preserving knowledge distillation: examples that the teacher finds alike (large inner products of
 * their activations) should look alike to the student too.
 *
 * Tung, Mori 2019, "Similarity-Preserving Knowledge Distillation" (ICCV); reference code RepDistiller
 * `distiller_zoo/SP.py`. With f [B, D] the flattened features of one layer pair (sizes may differ):
 *
 *   G = f fᵀ, then each row G_b ← G_b / max(|G_b|, 1e-12)
 *   SP = (1/B²) Σ_ij (G_t − G_s)²_ij        ('none': SP_b = (1/B) Σ_j (G_t − G_s)²_bj, [B], whose mean is the scalar)
 *
 * PyTorch: `((F.normalize(f_t @ f_t.T) - F.normalize(f_s @ f_s.T)) ** 2).sum() / B**2`. The paper sums this over
 * layer pairs; the reference returns a list, one loss per pair, and so does a strategy here by calling this
 * once per pair and summing. Differences: the reference returns a [1] tensor, here a scalar; √ is floored (above)
 * so an all-zero example has finite gradients. Scaling all of a side's features by one constant leaves SP unchanged.
 *
 * @param student [B, …], flattened per example
 * @param teacher [B, …], flattened per example; no gradient is taken through it
 * @returns a scalar, or [B] with `reduction: 'none'`
 */
export function similarityPreservingLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options?: { readonly reduction?: 'mean' },
): tf.Scalar;
export function similarityPreservingLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: { readonly reduction: 'none' },
): tf.Tensor1D;
export function similarityPreservingLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options?: { readonly reduction?: RelationReduction },
): tf.Scalar | tf.Tensor1D;
export function similarityPreservingLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: { readonly reduction?: RelationReduction } = {},
): tf.Scalar | tf.Tensor1D {
  validateRelationPair('similarityPreservingLoss', student, teacher);
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`similarityPreservingLoss: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  return tf.tidy(() => {
    const batch = student.shape[0] as number;
    const squared = tf.squaredDifference(normalisedGram(teacher), normalisedGram(student));
    if (reduction === 'none') return tf.div(tf.sum(squared, 1), batch) as tf.Tensor1D;
    return tf.div(tf.sum(squared), batch * batch) as tf.Scalar;
  });
}
