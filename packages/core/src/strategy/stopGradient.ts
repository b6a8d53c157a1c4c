import * as tf from '@tensorflow/tfjs-core';

/**
 * PyTorch's `x.detach()` for tfjs, which has no such op: the same values, and no gradient flows back through it.
 * Strategies use it for teacher signals computed from trained models (a peer's predictions in mutual learning, the
 * deepest classifier in self-distillation, the inputs of CTKD's temperature module, CRD's normalisation constant).
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const detach = tf.customGrad((input) => ({
    value: tf.clone(input as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return detach(x) as T;
}
