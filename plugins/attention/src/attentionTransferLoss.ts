import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { attentionMap } from './attentionMap.js';

/**
 * Attention transfer loss (Zagoruyko & Komodakis 2017, "Paying More Attention to Attention", ICLR, eq. 2;
 * reference code szagoruyko/attention-transfer `utils.py`: `at_loss`).
 *
 *   at_loss(S, T) = (1 / (B·H·W)) Σ_b Σ_j ( at(S)_{b,j} − at(T)_{b,j} )²
 *
 * = `(at(x) - at(y)).pow(2).mean()`, with `at` as in {@link attentionMap}. The paper's β/2 weight is not
 * applied here; the `attention.at` strategy applies it. Channel counts may differ (the maps average
 * over channels); spatial sizes must match — see `matchSpatialSize`.
 *
 * @param studentFeature NHWC [B, H, W, C_s]
 * @param teacherFeature NHWC [B, H, W, C_t]
 */
export function attentionTransferLoss(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  options: { readonly p?: number } = {},
): tf.Scalar {
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
  return tf.tidy(
    () => tf.mean(tf.square(tf.sub(attentionMap(studentFeature, options), attentionMap(teacherFeature, options)))) as tf.Scalar,
  );
}
