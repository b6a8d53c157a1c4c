import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

/** The authors' ε in (z − mean) / (ε + std). */
const STD_EPSILON = 1e-7;

/** A floor under the variance before √, so a constant row gets gradient 0 rather than NaN (torch.std gives NaN there). */
const VARIANCE_FLOOR = 1e-30;

/**
 * Logit standardization: a per-example z-score over the classes.
 *
 * Sun, Ren, Li, Wang, Cao 2024, "Logit Standardization in Knowledge Distillation" (CVPR); reference code
 * sunshangquan/logit-standardization-KD (`normalize`):
 *
 *   Z(z)_b = (z_b − mean_c z_b) / (1e-7 + std_c z_b),   std with the unbiased (C − 1) estimator, like `torch.std`
 *
 * PyTorch: `(z - z.mean(-1, keepdim=True)) / (1e-7 + z.std(-1, keepdim=True))`.
 *
 * @param logits z, [B, C] with C ≥ 2
 * @returns [B, C]; each row has mean 0 and unbiased standard deviation ~1
 */
export function standardizeLogits(logits: tf.Tensor2D): tf.Tensor2D {
  if (logits.rank !== 2 || (logits.shape[1] as number) < 2) {
    throw new DistilleryError(`standardizeLogits: expected logits of shape [B, C] with C ≥ 2, got [${logits.shape.join(', ')}]`);
  }
  const classes = logits.shape[1] as number;
  return tf.tidy(() => {
    const centred = tf.sub(logits, tf.mean(logits, 1, true));
    const variance = tf.div(tf.sum(tf.square(centred), 1, true), classes - 1);
    const std = tf.sqrt(tf.maximum(variance, VARIANCE_FLOOR));
    return tf.div(centred, tf.add(std, STD_EPSILON)) as tf.Tensor2D;
  });
}
