import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { VidLossOptions } from './VidLossOptions.js';

/**
 * Variational information distillation (Ahn, Hu, Damianou, Lawrence, Dai 2019, "Variational Information Distillation
 * for Knowledge Transfer", CVPR): the negative log-likelihood of the teacher's feature t under the paper's Gaussian
 * variational distribution, whose mean μ the student predicts (through its regressor, see `VidRegressor`) and whose
 * variance is learned per teacher channel c, with the constant ½·log 2π dropped:
 *
 *   σ²_c = softplus(s_c) + ε = log(1 + e^{s_c}) + ε
 *   reduction 'mean':  loss   = (1/N) Σ_i ½ ( (μ_i − t_i)² / σ²_{c(i)} + log σ²_{c(i)} ),   N = all elements
 *   reduction 'none':  loss_b = the same mean over example b's elements only                  [B]
 *
 * c(i) is the channel of element i: the last axis, for NHWC maps [B, H, W, C] and vectors [B, C] alike. The
 * 'mean' value is RepDistiller's `VIDLoss.forward` (`neg_log_prob.mean()` over batch, channels and pixels, the
 * variance `log(1 + exp(log_scale)) + eps`); every example has the same element count, so 'mean' is the mean of
 * the 'none' values. Gradients: ∂loss/∂μ_i = (μ_i − t_i) / (N σ²_{c(i)}), and
 * ∂loss/∂s_c = sigmoid(s_c) · (1/N) Σ_{i in c} ½ (1/σ²_c − (μ_i − t_i)²/σ⁴_c), so a channel's variance settles at
 * the mean squared error of its predictions.
 *
 * @param predictedMean μ, the student's regressed feature, the teacher feature's shape
 * @param target t, the teacher's feature (computed outside the gradient tape by the kernel)
 * @param logScale s, [C]: one learned log-scale per channel of the target's last axis
 */
export function vidLoss(
  predictedMean: tf.Tensor,
  target: tf.Tensor,
  logScale: tf.Tensor,
  options?: VidLossOptions & { readonly reduction?: 'mean' },
): tf.Scalar;
export function vidLoss(
  predictedMean: tf.Tensor,
  target: tf.Tensor,
  logScale: tf.Tensor,
  options: VidLossOptions & { readonly reduction: 'none' },
): tf.Tensor1D;
export function vidLoss(
  predictedMean: tf.Tensor,
  target: tf.Tensor,
  logScale: tf.Tensor,
  options?: VidLossOptions,
): tf.Scalar | tf.Tensor1D;
export function vidLoss(
  predictedMean: tf.Tensor,
  target: tf.Tensor,
  logScale: tf.Tensor,
  options: VidLossOptions = {},
): tf.Scalar | tf.Tensor1D {
  const { eps = 1e-5, reduction = 'mean' } = options;
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`vidLoss: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) {
    throw new DistilleryError(`vidLoss: eps must be a finite number ≥ 0, got ${eps}`);
  }
  const shapes = `predicted mean [${predictedMean.shape.join(', ')}] and target [${target.shape.join(', ')}]`;
  if (!tf.util.arraysEqual(predictedMean.shape, target.shape)) {
    throw new DistilleryError(`vidLoss: ${shapes} differ in shape`);
  }
  const minimumRank = reduction === 'none' ? 2 : 1;
  if (target.rank < minimumRank) {
    throw new DistilleryError(
      reduction === 'none'
        ? `vidLoss: reduction 'none' needs features with a batch axis and a channel axis [B, ..., C], got ${shapes}`
        : `vidLoss: the features need a channel axis [..., C], got ${shapes}`,
    );
  }
  const channels = target.shape[target.rank - 1] as number;
  if (logScale.rank !== 1 || logScale.shape[0] !== channels) {
    throw new DistilleryError(
      `vidLoss: log-scale [${logScale.shape.join(', ')}] must be [${channels}], one per channel (last axis) of the target [${target.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const variance = tf.add(tf.softplus(logScale), eps);
    // Broadcast over the last axis: the variance belongs to the channel, shared by every example and pixel.
    const negativeLogLikelihood = tf.mul(
      tf.add(tf.div(tf.squaredDifference(predictedMean, target), variance), tf.log(variance)),
      0.5,
    );
    if (reduction === 'mean') return tf.mean(negativeLogLikelihood) as tf.Scalar;
    return tf.mean(tf.reshape(negativeLogLikelihood, [target.shape[0] as number, -1]), 1) as tf.Tensor1D;
  });
}
