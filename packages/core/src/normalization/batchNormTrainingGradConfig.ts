import * as tf from '@tensorflow/tfjs-core';
import { BatchNormTraining } from './BatchNormTraining.js';
import type { BatchNormTrainingAttrs } from './BatchNormTrainingAttrs.js';
import { BatchNormTrainingGrad } from './BatchNormTrainingGrad.js';

/**
 * The gradient of {@link BatchNormTraining}: one {@link BatchNormTrainingGrad} kernel for y's gradient, run
 * eagerly because its three outputs come from one pass (the accessors only hand them out). The mean and
 * variance outputs normally feed only the moving averages, which no loss reaches; where a loss does reach
 * them, their terms are added: ∂mean/∂x = 1/n and ∂variance/∂x = 2 (x − mean) / n.
 */
export const batchNormTrainingGradConfig: tf.GradConfig = {
  kernelName: BatchNormTraining,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dMean, dVariance] = dys as (tf.Tensor | null)[];
    const [x, scale, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const { epsilon } = attrs as unknown as BatchNormTrainingAttrs;
    const [dx, dScale, dOffset] =
      dy == null
        ? [tf.zerosLike(x), tf.zerosLike(scale), tf.zerosLike(scale)]
        : (tf.engine().runKernel(BatchNormTrainingGrad, { dy, x, scale, mean, variance }, { epsilon }) as tf.Tensor[]);
    const n = x.size / Math.max(scale.size, 1);
    let dxTotal = dx as tf.Tensor;
    if (dMean != null) dxTotal = tf.add(dxTotal, tf.div(dMean, n));
    if (dVariance != null) dxTotal = tf.add(dxTotal, tf.mul(tf.sub(x, mean), tf.mul(dVariance, 2 / n)));
    return { x: () => dxTotal, scale: () => dScale as tf.Tensor, offset: () => dOffset as tf.Tensor };
  },
};
