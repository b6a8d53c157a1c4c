import * as tf from '@tensorflow/tfjs-core';

/**
 * The gradient-reversal layer of Ganin & Lempitsky 2015 ("Unsupervised Domain Adaptation by Backpropagation"):
 * the identity forward, −λ · upstream gradient backward. Whatever lies behind it (CTKD's temperature module) is
 * trained to *increase* the loss the rest of the model minimises, with strength λ ≥ 0; λ = 0 freezes it.
 *
 * CTKD's reference code (zhengli97/CTKD `models/temp_global.py`) multiplies by its λ directly and schedules λ from
 * 0 down to −1; here λ has the paper's sign (0 up to 1) and the minus is in the layer, the same product.
 */
export function gradientReversal<T extends tf.Tensor>(x: T, lambda: number): T {
  const reverse = tf.customGrad((input) => ({
    value: tf.clone(input as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.mul(dy, -lambda),
  }));
  return reverse(x) as T;
}
