import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { HintLossOptions } from './HintLossOptions.js';

/**
 * FitNets hint loss (Romero et al. 2015, "FitNets: Hints for Thin Deep Nets", section 2.2), with the
 * reduction of the reference code (torchdistill, mdistiller `FitNet.py`: `F.mse_loss(..., reduction='mean')`):
 *
 *   reduction 'mean':  hint   = (1/N) Σ_i (f_s,i − f_t,i)²,          N = number of elements of f_s
 *   reduction 'none':  hint_b = (1/n) Σ_i (f_s,{b,i} − f_t,{b,i})²,  n = N/B elements per example      [B]
 *
 * 'none' is CA-MKD's `crit_mse(...).reshape(bsz, -1).mean(-1)` (Zhang et al. 2022); every example has n
 * elements, so 'mean' is the mean of the 'none' values. `studentFeature` is the student's guided-layer output
 * already mapped by its regressor (see `HintAdapter`), so it must have the teacher's shape.
 * Gradient of 'mean': ∂hint/∂f_s = 2(f_s − f_t)/N.
 */
export function hintLoss(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  options?: HintLossOptions & { readonly reduction?: 'mean' },
): tf.Scalar;
export function hintLoss(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  options: HintLossOptions & { readonly reduction: 'none' },
): tf.Tensor1D;
export function hintLoss(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  options?: HintLossOptions,
): tf.Scalar | tf.Tensor1D;
export function hintLoss(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  options: HintLossOptions = {},
): tf.Scalar | tf.Tensor1D {
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`hintLoss: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  const shapes = `student feature [${studentFeature.shape.join(', ')}] and teacher feature [${teacherFeature.shape.join(', ')}]`;
  if (!tf.util.arraysEqual(studentFeature.shape, teacherFeature.shape)) {
    throw new DistilleryError(`hintLoss: ${shapes} differ in shape`);
  }
  if (reduction === 'none' && studentFeature.rank === 0) {
    throw new DistilleryError(`hintLoss: reduction 'none' needs features with a batch axis [B, ...], got ${shapes}`);
  }
  return tf.tidy(() => {
    const squared = tf.squaredDifference(studentFeature, teacherFeature);
    if (reduction === 'mean') return tf.mean(squared) as tf.Scalar;
    return tf.mean(tf.reshape(squared, [studentFeature.shape[0] as number, -1]), 1) as tf.Tensor1D;
  });
}
