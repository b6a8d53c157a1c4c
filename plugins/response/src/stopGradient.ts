import * as tf from '@tensorflow/tfjs-core';

/**
 * PyTorch's `x.detach()` for tfjs, which has no such op: the same values, and no gradient flows back through it.
 * CTKD's instance-wise temperature module reads the logits this way, so only its own weights learn from its output.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const detach = tf.customGrad((input) => ({
    value: tf.clone(input as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return detach(x) as T;
}
