import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Per-example teacher weighting of per-example losses, as CA-MKD weights its feature losses (Zhang et al.
 * 2022; reference code Rorozhl/CA-MKD `distiller_zoo/CAMKD.py`):
 *
 *   loss = (1/B) Σ_b Σ_k w_bk · L_bk
 *
 * (the reference also divides by K; we do not, the weights being an average).
 *
 * @param perTeacherLosses L_k, K tensors [B]: teacher k's loss on each example
 * @param weights w [B, K]
 */
export function weightedTeacherLoss(perTeacherLosses: readonly tf.Tensor[], weights: tf.Tensor): tf.Scalar {
  const batchSize = weights.shape[0];
  if (weights.rank !== 2 || weights.shape[1] !== perTeacherLosses.length) {
    throw new DistilleryError(
      `weightedTeacherLoss: weights [${weights.shape.join(', ')}] do not match ${perTeacherLosses.length} teachers' losses; expected [B, ${perTeacherLosses.length}]`,
    );
  }
  perTeacherLosses.forEach((losses, k) => {
    if (losses.rank !== 1 || losses.shape[0] !== batchSize) {
      throw new DistilleryError(
        `weightedTeacherLoss: teacher ${k}'s losses [${losses.shape.join(', ')}] are not one per example; expected [${batchSize}]`,
      );
    }
  });
  return tf.tidy(() => tf.div(tf.sum(tf.mul(weights, tf.stack([...perTeacherLosses], 1))), batchSize as number) as tf.Scalar);
}
