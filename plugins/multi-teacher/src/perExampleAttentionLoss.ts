import { DistilleryError } from '@distillery/core';
import { attentionMap } from '@distillery/plugin-attention';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The attention-transfer loss (Zagoruyko & Komodakis 2017, "Paying More Attention to Attention", ICLR, eq. 2;
 * reference code szagoruyko/attention-transfer `utils.py`) of each example, the mean over its H·W positions:
 *
 *   at_b = (1/(H·W)) Σ_j ( at(S)_{b,j} − at(T)_{b,j} )²,   at(A) = normalize(mean_c |A|^p)
 *
 * Its batch mean is `attentionTransferLoss` of @distillery/plugin-attention. β/2 is not applied here.
 *
 * @param studentFeature NHWC [B, H, W, C_s]
 * @param teacherFeature NHWC [B, H, W, C_t] (bring sizes together first with `matchSpatialSize`)
 * @returns [B]
 */
export function perExampleAttentionLoss(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  options: { readonly p?: number } = {},
): tf.Tensor1D {
  const student = `student feature [${studentFeature.shape.join(', ')}]`;
  const teacher = `teacher feature [${teacherFeature.shape.join(', ')}]`;
  if (studentFeature.rank !== 4 || teacherFeature.rank !== 4) {
    throw new DistilleryError(`perExampleAttentionLoss: expected NHWC feature maps [B, H, W, C], got ${student} and ${teacher}`);
  }
  if (!tf.util.arraysEqual(studentFeature.shape.slice(0, 3), teacherFeature.shape.slice(0, 3))) {
    throw new DistilleryError(
      `perExampleAttentionLoss: ${student} and ${teacher} differ in batch or spatial size; bring them to one size first (matchSpatialSize)`,
    );
  }
  return tf.tidy(
    () =>
      tf.mean(tf.square(tf.sub(attentionMap(studentFeature, options), attentionMap(teacherFeature, options))), 1) as tf.Tensor1D,
  );
}
