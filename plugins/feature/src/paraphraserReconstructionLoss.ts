import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ParaphraserReconstructionLossOptions } from './ParaphraserReconstructionLossOptions.js';

/**
 * The loss that trains factor transfer's paraphraser (Kim, Park, Kwak 2018, "Paraphrasing Complex Network: Network
 * Compression via Factor Transfer", NeurIPS, eq. 1) before any student is distilled: how far its reconstruction
 * P(x) = decoder(encoder(x)) is from the teacher feature x it encoded.
 *
 *   reduction 'mean':  loss   = (1/N) Σ_i |P(x)_i − x_i|^p,            N = every element (B × H × W × C)
 *   reduction 'none':  loss_b = the same mean over example b's elements  [B]
 *
 * p = 2 (default) is the paper's ‖x − P(x)‖² averaged over the elements, RepDistiller's `nn.MSELoss()(f_t_rec, f_t)`
 * in its init stage; p = 1 is the authors' code, `nn.L1Loss()(P(x), x)`. Every example has N/B elements, so 'mean'
 * is the mean of the 'none' values. Gradient of 'mean' for p = 2: 2(P(x) − x)/N with respect to P(x).
 *
 * @param reconstruction P(x), the paraphraser's output
 * @param feature x, the feature it encoded (the caller stops its gradient: the paraphrased network is not trained)
 */
export function paraphraserReconstructionLoss(
  reconstruction: tf.Tensor,
  feature: tf.Tensor,
  options?: ParaphraserReconstructionLossOptions & { readonly reduction?: 'mean' },
): tf.Scalar;
export function paraphraserReconstructionLoss(
  reconstruction: tf.Tensor,
  feature: tf.Tensor,
  options: ParaphraserReconstructionLossOptions & { readonly reduction: 'none' },
): tf.Tensor1D;
export function paraphraserReconstructionLoss(
  reconstruction: tf.Tensor,
  feature: tf.Tensor,
  options?: ParaphraserReconstructionLossOptions,
): tf.Scalar | tf.Tensor1D;
export function paraphraserReconstructionLoss(
  reconstruction: tf.Tensor,
  feature: tf.Tensor,
  options: ParaphraserReconstructionLossOptions = {},
): tf.Scalar | tf.Tensor1D {
  const { p = 2, reduction = 'mean' } = options;
  if (p !== 1 && p !== 2) throw new DistilleryError(`paraphraserReconstructionLoss: p must be 1 or 2, got ${p}`);
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`paraphraserReconstructionLoss: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  const shapes = `reconstruction [${reconstruction.shape.join(', ')}] and feature [${feature.shape.join(', ')}]`;
  if (!tf.util.arraysEqual(reconstruction.shape, feature.shape)) {
    throw new DistilleryError(`paraphraserReconstructionLoss: ${shapes} differ in shape`);
  }
  if (reduction === 'none' && feature.rank < 1) {
    throw new DistilleryError(`paraphraserReconstructionLoss: reduction 'none' needs a batch axis [B, …], got ${shapes}`);
  }
  return tf.tidy(() => {
    const difference = tf.sub(reconstruction, feature);
    const powered = p === 1 ? tf.abs(difference) : tf.square(difference);
    if (reduction === 'mean') return tf.mean(powered) as tf.Scalar;
    return tf.mean(tf.reshape(powered, [feature.shape[0] as number, -1]), 1) as tf.Tensor1D;
  });
}
