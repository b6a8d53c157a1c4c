import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { OfdLossOptions } from './OfdLossOptions.js';

/**
 * OFD's partial L2 distance (Heo, Kim, Yun, Park, Kwak, Choi 2019, "A Comprehensive Overhaul of Feature
 * Distillation", ICCV, eq. 4–5) between the student's connected pre-ReLU feature s and the teacher's pre-ReLU
 * feature t, whose negative responses are raised to the channel's margin m (see `ofdMargin`):
 *
 *   t̂_i = max(t_i, m_{c(i)})
 *   d_i  = (s_i − t̂_i)²  where s_i > t̂_i or t̂_i > 0;  0 elsewhere (s at or below a non-positive target: the ReLU
 *          would give both 0, so the student is free there)
 *   reduction 'mean':  loss   = (1/B) Σ_i d_i           every element of the batch, over the batch size B
 *   reduction 'none':  loss_b = Σ_{i in example b} d_i   [B]
 *
 * c(i) is the channel of element i, the last axis (NHWC maps and [B, C] vectors alike). The 'mean' value is the
 * reference's (clovaai/overhaul-distillation `distillation_loss`, `loss.sum()`, divided by the batch size in its
 * training script). PyTorch: `t = torch.max(t, m); ((s - t) ** 2 * ((s > t) | (t > 0)).float()).sum() / B`. It is
 * computed as (where(t̂ > 0, s − t̂, relu(s − t̂)))², the same numbers with a gradient through tfjs's ops:
 * ∂loss/∂s_i = 2 (s_i − t̂_i) / B where the element counts, 0 elsewhere. No gradient reaches t or m (the teacher's
 * feature is detached in the reference too).
 *
 * @param source s, the connector's output, the target's shape [B, …, C]
 * @param target t, the teacher's pre-ReLU feature [B, …, C]
 * @param margin m, [C]: one margin per channel of the last axis
 */
export function ofdLoss(
  source: tf.Tensor,
  target: tf.Tensor,
  margin: tf.Tensor,
  options?: OfdLossOptions & { readonly reduction?: 'mean' },
): tf.Scalar;
export function ofdLoss(
  source: tf.Tensor,
  target: tf.Tensor,
  margin: tf.Tensor,
  options: OfdLossOptions & { readonly reduction: 'none' },
): tf.Tensor1D;
export function ofdLoss(
  source: tf.Tensor,
  target: tf.Tensor,
  margin: tf.Tensor,
  options?: OfdLossOptions,
): tf.Scalar | tf.Tensor1D;
export function ofdLoss(
  source: tf.Tensor,
  target: tf.Tensor,
  margin: tf.Tensor,
  options: OfdLossOptions = {},
): tf.Scalar | tf.Tensor1D {
  const { reduction = 'mean' } = options;
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`ofdLoss: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  const shapes = `source [${source.shape.join(', ')}] and target [${target.shape.join(', ')}]`;
  if (!tf.util.arraysEqual(source.shape, target.shape)) throw new DistilleryError(`ofdLoss: ${shapes} differ in shape`);
  if (target.rank < 2) {
    throw new DistilleryError(`ofdLoss: the features need a batch axis and a channel axis [B, …, C], got ${shapes}`);
  }
  const channels = target.shape[target.rank - 1] as number;
  if (margin.rank !== 1 || margin.shape[0] !== channels) {
    throw new DistilleryError(
      `ofdLoss: margin [${margin.shape.join(', ')}] must be [${channels}], one per channel (last axis) of the target [${target.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const raised = tf.maximum(target, margin);
    const difference = tf.sub(source, raised);
    const counted = tf.where(tf.greater(raised, 0), difference, tf.relu(difference));
    const perExample = tf.sum(tf.reshape(tf.square(counted), [target.shape[0] as number, -1]), 1) as tf.Tensor1D;
    return reduction === 'mean' ? (tf.mean(perExample) as tf.Scalar) : perExample;
  });
}
