import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { RelationReduction } from './RelationReduction.js';
import { rkdTerms } from './rkdTerms.js';
import { validateRelationPair } from './validateRelationPair.js';

/** Weights of the RKD loss; `reduction` as in {@link RelationReduction}. */
type RkdLossOptions = {
  readonly distanceWeight?: number;
  readonly angleWeight?: number;
  readonly reduction?: RelationReduction;
};

/**
 * Relational knowledge distillation: the student matches the teacher's pairwise distances and triplet angles
 * rather than its features, so the two may differ in size.
 *
 * Park, Kim, Lu, Cho 2019, "Relational Knowledge Distillation" (CVPR); reference code RepDistiller
 * `distiller_zoo/RKD.py`. With the terms of {@link rkdTerms} (smooth L1 between distance matrices scaled by
 * their mean, and between the cosines e_ij · e_ik of all triplets):
 *
 *   RKD = λ_D · distance + λ_A · angle
 *
 * PyTorch: `RKDLoss(w_d=25, w_a=50)(f_s, f_t)` = `25 * F.smooth_l1_loss(ψ_D(s), ψ_D(t)) + 50 * F.smooth_l1_loss(ψ_A(s), ψ_A(t))`.
 * Defaults λ_D = 25, λ_A = 50 as in RepDistiller's CIFAR-100 runs; the authors' metric-learning runs (lenscloth/RKD)
 * weigh the terms 1 and 2. `reduction: 'none'` gives λ_D · distance_b + λ_A · angle_b per example, [B], whose mean is the
 * scalar. Where it differs from the reference (a batch of one gives 0, not NaN; distances from differences, not
 * the |a|² + |b|² − 2ab expansion) is said in {@link rkdTerms}.
 *
 * @param student [B, …], flattened per example
 * @param teacher [B, …], flattened per example; no gradient is taken through it
 * @returns a scalar, or [B] with `reduction: 'none'`
 */
export function rkdLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options?: RkdLossOptions & { readonly reduction?: 'mean' },
): tf.Scalar;
export function rkdLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: RkdLossOptions & { readonly reduction: 'none' },
): tf.Tensor1D;
export function rkdLoss(student: tf.Tensor, teacher: tf.Tensor, options?: RkdLossOptions): tf.Scalar | tf.Tensor1D;
export function rkdLoss(student: tf.Tensor, teacher: tf.Tensor, options: RkdLossOptions = {}): tf.Scalar | tf.Tensor1D {
  validateRelationPair('rkdLoss', student, teacher);
  const { distanceWeight = 25, angleWeight = 50, reduction = 'mean' } = options;
  for (const [name, weight] of Object.entries({ distanceWeight, angleWeight })) {
    if (!Number.isFinite(weight)) throw new DistilleryError(`rkdLoss: ${name} must be a finite number, got ${weight}`);
  }
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`rkdLoss: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  return tf.tidy(() => {
    const { distance, angle } = rkdTerms(student, teacher, { reduction });
    return tf.add(tf.mul(distance, distanceWeight), tf.mul(angle, angleWeight)) as tf.Scalar | tf.Tensor1D;
  });
}
