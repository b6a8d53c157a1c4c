import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { AttentionTransferLossOptions } from './AttentionTransferLossOptions.js';
import { attentionMap } from './attentionMap.js';

/**
 * Attention transfer loss (Zagoruyko & Komodakis 2017, "Paying More Attention to Attention", ICLR, eq. 2;
 * reference code szagoruyko/attention-transfer `utils.py`: `at_loss`).
 *
 *   reduction 'mean':  at_loss(S, T) = (1 / (B·H·W)) Σ_b Σ_j ( at(S)_{b,j} − at(T)_{b,j} )²
 *   reduction 'none':  at_b          = (1 / (H·W))   Σ_j     ( at(S)_{b,j} − at(T)_{b,j} )²     [B]
 *
 * 'mean' = `(at(x) - at(y)).pow(2).mean()`, with `at` as in {@link attentionMap}; every example has H·W
 * positions, so it is the mean of the 'none' values. The paper's β/2 weight is not applied here; the
 * strategies apply it. Channel counts may differ (the maps average over channels); spatial sizes must
 * match — see `matchSpatialSize`.
 *
 * @param studentFeature NHWC [B, H, W, C_s]
 * @param teacherFeature NHWC [B, H, W, C_t]
 */
export function attentionTransferLoss(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  options?: AttentionTransferLossOptions & { readonly reduction?: 'mean' },
): tf.Scalar;
export function attentionTransferLoss(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  options: AttentionTransferLossOptions & { readonly reduction: 'none' },
): tf.Tensor1D;
export function attentionTransferLoss(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  options?: AttentionTransferLossOptions,
): tf.Scalar | tf.Tensor1D;
export function attentionTransferLoss(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  options: AttentionTransferLossOptions = {},
): tf.Scalar | tf.Tensor1D {
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`attentionTransferLoss: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  const student = `student feature [${studentFeature.shape.join(', ')}]`;
  const teacher = `teacher feature [${teacherFeature.shape.join(', ')}]`;
  if (studentFeature.rank !== 4 || teacherFeature.rank !== 4) {
    throw new DistilleryError(`attentionTransferLoss: expected NHWC feature maps [B, H, W, C], got ${student} and ${teacher}`);
  }
  const [studentBatch, studentHeight, studentWidth] = studentFeature.shape;
  const [teacherBatch, teacherHeight, teacherWidth] = teacherFeature.shape;
  if (studentBatch !== teacherBatch) {
    throw new DistilleryError(`attentionTransferLoss: ${student} and ${teacher} differ in batch size`);
  }
  if (studentHeight !== teacherHeight || studentWidth !== teacherWidth) {
    throw new DistilleryError(
      `attentionTransferLoss: ${student} and ${teacher} differ in spatial size ` +
        `(${studentHeight}×${studentWidth} vs ${teacherHeight}×${teacherWidth}); bring them to one size first (matchSpatialSize)`,
    );
  }
  const mapOptions = { p: options.p };
  return tf.tidy(() => {
    const squared = tf.square(tf.sub(attentionMap(studentFeature, mapOptions), attentionMap(teacherFeature, mapOptions)));
    // The batch mean is taken over all B·H·W values at once, as the reference does, not as a mean of means.
    return reduction === 'none' ? (tf.mean(squared, 1) as tf.Tensor1D) : (tf.mean(squared) as tf.Scalar);
  });
}
