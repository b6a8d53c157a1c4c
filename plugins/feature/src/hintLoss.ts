import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * FitNets hint loss (Romero et al. 2015, "FitNets: Hints for Thin Deep Nets", section 2.2), with the
 * reduction of the reference code (torchdistill, mdistiller `FitNet.py`: `F.mse_loss(..., reduction='mean')`):
 *
 *   hint = (1/N) Σ_i (f_s,i − f_t,i)²,  N = number of elements of f_s
 *
 * `studentFeature` is the student's guided-layer output already mapped by its regressor (see `HintAdapter`),
 * so it must have the teacher's shape. Gradient: ∂hint/∂f_s = 2(f_s − f_t)/N.
 */
export function hintLoss(studentFeature: tf.Tensor, teacherFeature: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (!tf.util.arraysEqual(studentFeature.shape, teacherFeature.shape)) {
      throw new DistilleryError(
        `hintLoss: student feature [${studentFeature.shape.join(', ')}] and teacher feature [${teacherFeature.shape.join(', ')}] differ in shape`,
      );
    }
    return tf.mean(tf.squaredDifference(studentFeature, teacherFeature));
  });
}
