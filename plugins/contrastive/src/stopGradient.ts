import * as tf from '@tensorflow/tfjs-core';

/**
 * PyTorch's `x.detach()` for tfjs, which has no such op: the same values, and no gradient flows back through it.
 * CRD's normalisation constant Z is a plain number in the reference (`.item()`), never differentiated.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const detach = tf.customGrad((input) => ({
    value: tf.clone(input as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return detach(x) as T;
}
