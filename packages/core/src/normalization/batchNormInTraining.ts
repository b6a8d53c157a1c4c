import * as tf from '@tensorflow/tfjs-core';
import { BatchNormTraining } from './BatchNormTraining.js';
import type { BatchNormTrainingAttrs } from './BatchNormTrainingAttrs.js';
import { batchNormTrainingGradConfig } from './batchNormTrainingGradConfig.js';

/** What {@link batchNormInTraining} returns: new tensors the caller owns. */
export interface BatchNormInTrainingResult {
  readonly normalized: tf.Tensor;
  /** The batch's per-channel mean, shape [channels]. */
  readonly mean: tf.Tensor1D;
  /** The batch's per-channel biased variance, shape [channels]. */
  readonly variance: tf.Tensor1D;
}

/**
 * Batch normalisation in training mode over the last axis (Ioffe & Szegedy 2015, algorithm 1):
 * normalized = (x − μ_B) · scale / √(σ²_B + ε) + offset with μ_B, σ²_B the batch's moments over every other
 * axis. Runs the backend's {@link BatchNormTraining} kernel and its one-kernel gradient where registered;
 * elsewhere tf.moments and tf.batchNorm, tfjs-layers' own composition, so values there are tfjs-layers'.
 */
export function batchNormInTraining(
  x: tf.Tensor,
  scale: tf.Tensor1D,
  offset: tf.Tensor1D,
  epsilon: number,
): BatchNormInTrainingResult {
  if (tf.getKernel(BatchNormTraining, tf.getBackend()) !== undefined && x.dtype === 'float32') {
    if (tf.getGradient(BatchNormTraining) === undefined) tf.registerGradient(batchNormTrainingGradConfig);
    const attrs: BatchNormTrainingAttrs = { epsilon };
    const [normalized, mean, variance] = tf
      .engine()
      .runKernel(BatchNormTraining, { x, scale, offset }, { ...attrs }) as unknown as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
    return { normalized, mean, variance };
  }
  return tf.tidy(() => {
    const axes = x.shape.slice(0, -1).map((_, axis) => axis);
    const { mean, variance } = tf.moments(x, axes);
    const normalized = tf.batchNorm(x, mean, variance, offset, scale, epsilon);
    return { normalized, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  });
}
