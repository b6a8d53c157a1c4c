import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { flattenExamples } from './flattenExamples.js';
import type { RelationReduction } from './RelationReduction.js';
import { validateRelationPair } from './validateRelationPair.js';

/** The reference's clamp under a squared distance (RepDistiller `pdist`, eps = 1e-12): d ≥ √1e-12 = 1e-6 off the diagonal. */
const SQUARED_DISTANCE_FLOOR = 1e-12;

/**
 * PyTorch's `F.normalize` divides by max(|v|, 1e-12); flooring |v|² at (1e-12)² gives the same value and, unlike
 * √ at 0, a finite gradient, so the zero difference x_i − x_i (and that of identical points) gives e = 0, not NaN.
 */
const SQUARED_LENGTH_FLOOR = 1e-24;

/**
 * The two relational potentials of one side: ψ_D, pairwise distances over their mean, [B, B], and
 * ψ_A[i, j, k] = e_ij · e_ik with e_ij the unit vector from x_i to x_j, [B, B, B].
 */
function relationPotentials(features: tf.Tensor): { distances: tf.Tensor2D; angles: tf.Tensor3D } {
  const rows = flattenExamples(features);
  const batch = rows.shape[0];
  const differences = tf.sub(tf.expandDims(rows, 0), tf.expandDims(rows, 1)) as tf.Tensor3D;
  const squaredLengths = tf.sum(tf.square(differences), 2, true);
  const offDiagonal = tf.sub(1, tf.eye(batch));
  const distances = tf.mul(tf.sqrt(tf.maximum(tf.squeeze(squaredLengths, [2]), SQUARED_DISTANCE_FLOOR)), offDiagonal);
  // Every off-diagonal distance is ≥ 1e-6 > 0, so the reference's "mean of the positive entries" is the mean of
  // the B(B − 1) off-diagonal ones. A batch of one has none: its matrix is the single 0 and stays 0.
  const positiveCount = batch * (batch - 1);
  const scaled = positiveCount > 0 ? tf.div(distances, tf.div(tf.sum(distances), positiveCount)) : distances;
  const directions = tf.div(differences, tf.sqrt(tf.maximum(squaredLengths, SQUARED_LENGTH_FLOOR))) as tf.Tensor3D;
  const angles = tf.matMul(directions, directions, false, true) as tf.Tensor3D;
  return { distances: scaled as tf.Tensor2D, angles };
}

/**
 * The two terms of relational knowledge distillation, unweighted (see {@link rkdLoss} for the weighted sum).
 *
 * Park, Kim, Lu, Cho 2019, "Relational Knowledge Distillation" (CVPR); reference code RepDistiller
 * `distiller_zoo/RKD.py`. On flattened features x [B, D] (student and teacher sizes may differ), with
 * ℓ = smooth L1 (Huber, β = 1): ℓ(z) = z²/2 for |z| < 1, |z| − 1/2 otherwise,
 *
 *   d_ij = √max(|x_i − x_j|², 1e-12) for i ≠ j, d_ii = 0;   ψ_D = d / mean_{i≠j}(d_ij)
 *   e_ij = (x_j − x_i) / max(|x_j − x_i|, 1e-12)  (so e_ii = 0);   ψ_A[i, j, k] = e_ij · e_ik
 *   distance = (1/B²) Σ_ij ℓ(ψ_D(s)_ij − ψ_D(t)_ij)        angle = (1/B³) Σ_ijk ℓ(ψ_A(s)_ijk − ψ_A(t)_ijk)
 *
 * PyTorch: `F.smooth_l1_loss(d_s / d_s[d_s > 0].mean(), d_t / d_t[d_t > 0].mean())` and
 * `F.smooth_l1_loss(bmm(e_s, e_sᵀ), bmm(e_t, e_tᵀ))` with `e = F.normalize(x[None] - x[:, None], dim=2)`.
 * `reduction: 'none'` gives each example's share, [B] for each term: distance_b = (1/B) Σ_j of its row, angle_b =
 * (1/B²) Σ_jk of the triplets with b at the vertex; their means are the scalars.
 *
 * Differences from the reference, none of which changes a value beyond float rounding where the reference is
 * finite: |x_i − x_j|² is summed from the differences the angle needs rather than expanded as
 * |x_i|² + |x_j|² − 2 x_i·x_j, which cancels badly in float32 for nearby points; the teacher's side needs no
 * `no_grad`, since teacher features are inputs here; a batch of one, where the reference's mean over an empty
 * selection is NaN, gives distance = angle = 0 with zero gradients (see also the floors above, which keep
 * identical points finite). Like the reference, the angle averages over all B³ ordered triplets; those with a
 * repeated index are 0 or 1 on both sides, so they only scale the mean.
 *
 * @param student [B, …], flattened per example
 * @param teacher [B, …], flattened per example; no gradient is taken through it
 * @returns `{ distance, angle }`, scalars, or [B] each with `reduction: 'none'`
 */
export function rkdTerms(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options?: { readonly reduction?: 'mean' },
): { distance: tf.Scalar; angle: tf.Scalar };
export function rkdTerms(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: { readonly reduction: 'none' },
): { distance: tf.Tensor1D; angle: tf.Tensor1D };
export function rkdTerms(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options?: { readonly reduction?: RelationReduction },
): { distance: tf.Tensor; angle: tf.Tensor };
export function rkdTerms(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: { readonly reduction?: RelationReduction } = {},
): { distance: tf.Tensor; angle: tf.Tensor } {
  validateRelationPair('rkdTerms', student, teacher);
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`rkdTerms: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  return tf.tidy(() => {
    const studentPotentials = relationPotentials(student);
    const teacherPotentials = relationPotentials(teacher);
    const smoothL1 = (predicted: tf.Tensor, target: tf.Tensor) =>
      tf.losses.huberLoss(target, predicted, undefined, 1, tf.Reduction.NONE);
    const distanceTerms = smoothL1(studentPotentials.distances, teacherPotentials.distances);
    const angleTerms = smoothL1(studentPotentials.angles, teacherPotentials.angles);
    if (reduction === 'none') {
      return { distance: tf.mean(distanceTerms, 1), angle: tf.mean(angleTerms, [1, 2]) };
    }
    return { distance: tf.mean(distanceTerms), angle: tf.mean(angleTerms) };
  });
}
