import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The FitNets hint loss (Romero et al. 2015, "FitNets: Hints for Thin Deep Nets", section 2.2) of each
 * example: the mean over its feature elements, as CA-MKD's `crit_mse(...).reshape(bsz, -1).mean(-1)`:
 *
 *   hint_b = (1/N) Σ_i (r(f_s)_{b,i} − f_t,{b,i})²,  N = elements per example
 *
 * Its batch mean is `hintLoss` of @distillery/plugin-feature.
 *
 * @param studentFeature the student's guided-layer output already mapped by its adapter, [B, ...]
 * @param teacherFeature the teacher's hint-layer output, the same shape
 * @returns [B]
 */
export function perExampleHintLoss(studentFeature: tf.Tensor, teacherFeature: tf.Tensor): tf.Tensor1D {
  if (!tf.util.arraysEqual(studentFeature.shape, teacherFeature.shape) || studentFeature.rank < 2) {
    throw new DistilleryError(
      `perExampleHintLoss: student feature [${studentFeature.shape.join(', ')}] and teacher feature [${teacherFeature.shape.join(', ')}] must have one shape [B, ...]`,
    );
  }
  return tf.tidy(() => {
    const batchSize = studentFeature.shape[0] as number;
    return tf.mean(tf.reshape(tf.squaredDifference(studentFeature, teacherFeature), [batchSize, -1]), 1) as tf.Tensor1D;
  });
}
