import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { adaptiveAvgPool2d } from './adaptiveAvgPool2d.js';

/** The pyramid of the reference's HCL: pooled to 4×4, 2×2 and 1×1, each level only where it is smaller than the map. */
const pyramidLevels = [4, 2, 1] as const;

/**
 * Hierarchical context loss (HCL) of ReviewKD for one stage: the MSE of the two maps plus the MSEs of their
 * adaptive average pools to 4×4, 2×2 and 1×1, weighted 1, ½, ¼, ⅛ and divided by the weights' sum.
 *
 * Chen, Liu, Zhao, Jia 2021, "Distilling Knowledge via Knowledge Review" (CVPR), section 3.3; reference code
 * dvlab-research/ReviewKD `hcl` and mdistiller `hcl_loss`. With H the maps' height:
 *
 *   HCL(f_s, f_t) = ( mse(f_s, f_t) + Σ_{k} 2^−k · mse(pool_{l_k}(f_s), pool_{l_k}(f_t)) ) / (1 + Σ_{k} 2^−k)
 *
 * where l_1, l_2, … are the levels of [4, 2, 1] below H, in that order (k counts only those): the reference
 * skips a level with `if l >= h: continue` before halving the weight, so an 8×8 map weighs 1, ½, ¼, ⅛ (sum
 * 1.875), a 4×4 map 1, ½ (2×2), ¼ (1×1) (sum 1.75), a 2×2 map 1, ½ (1×1), a 1×1 map only the MSE. The rule reads
 * the height alone and pools to l×l, as the reference does for every map, square or not. mse is the mean over
 * all elements (`F.mse_loss(reduction='mean')`); pool is PyTorch's adaptive average pooling ({@link adaptiveAvgPool2d}).
 *
 * @param studentMap f_s, [B, H, W, C] (in ReviewKD, a review output)
 * @param teacherMap f_t, the same shape
 * @returns a scalar
 */
export function hclLoss(studentMap: tf.Tensor4D, teacherMap: tf.Tensor4D): tf.Scalar {
  if (studentMap.rank !== 4 || !tf.util.arraysEqual(studentMap.shape, teacherMap.shape)) {
    throw new DistilleryError(
      `hclLoss: expected two NHWC maps of one shape, got [${studentMap.shape.join(', ')}] and [${teacherMap.shape.join(', ')}]`,
    );
  }
  const height = studentMap.shape[1];
  return tf.tidy(() => {
    let weighted: tf.Tensor = meanSquaredError(studentMap, teacherMap);
    let weight = 1;
    let totalWeight = 1;
    for (const level of pyramidLevels) {
      if (level >= height) continue;
      weight /= 2;
      const pooledMse = meanSquaredError(
        adaptiveAvgPool2d(studentMap, [level, level]),
        adaptiveAvgPool2d(teacherMap, [level, level]),
      );
      weighted = tf.add(weighted, tf.mul(pooledMse, weight));
      totalWeight += weight;
    }
    return tf.div(weighted, totalWeight) as tf.Scalar;
  });
}

function meanSquaredError(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.squaredDifference(a, b));
}
