import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * PyTorch's `F.normalize` eps: x / max(‖x‖₂, eps). Clamping the squared norm at eps² gives the same value,
 * and keeps the gradient finite for an all-zero map (√ has an infinite slope at 0).
 */
const NORM_FLOOR_SQUARED = 1e-24;

/**
 * Spatial attention map of a feature map (Zagoruyko & Komodakis 2017, "Paying More Attention to Attention",
 * ICLR, section 3.1; reference code szagoruyko/attention-transfer `utils.py`: `at(x)`).
 *
 *   Q = mean_c |A_{·,·,c}|^p, flattened to [B, H·W]
 *   at(A) = Q / max(‖Q‖₂, 1e-12), row by row
 *
 * = `F.normalize(x.pow(p).mean(1).view(x.size(0), -1))` for NCHW x (the reference uses p = 2, where |A|² = A²).
 *
 * @param feature NHWC [B, H, W, C]
 * @returns [B, H·W], each row of unit L2 norm (or all zero)
 */
export function attentionMap(feature: tf.Tensor, options: { readonly p?: number } = {}): tf.Tensor2D {
  const p = options.p ?? 2;
  if (!Number.isFinite(p) || p < 1) {
    throw new DistilleryError(`attentionMap: p must be a finite number ≥ 1 (|A|^p has an infinite slope at 0 below 1), got ${p}`);
  }
  if (feature.rank !== 4) {
    throw new DistilleryError(`attentionMap: expected an NHWC feature map [B, H, W, C], got [${feature.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const [batch, height, width] = feature.shape as [number, number, number, number];
    const powered = p === 2 ? tf.square(feature) : p === 1 ? tf.abs(feature) : tf.pow(tf.abs(feature), p);
    const flat = tf.reshape(tf.mean(powered, 3), [batch, height * width]);
    const squaredNorm = tf.sum(tf.square(flat), 1, true);
    return tf.div(flat, tf.sqrt(tf.maximum(squaredNorm, NORM_FLOOR_SQUARED))) as tf.Tensor2D;
  });
}
