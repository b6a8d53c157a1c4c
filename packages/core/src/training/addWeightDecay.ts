import * as tf from '@tensorflow/tfjs-core';

/** tfjs-layers names kernels `<layer>/kernel` (`depthwise_kernel`, `pointwise_kernel`); strategies' adapters `<term>/…/kernel`, `#2` on repeats. */
const kernelName = /\/(kernel|depthwise_kernel|pointwise_kernel)(#\d+)?$/;

/**
 * The gradients with L2 weight decay added as PyTorch's SGD, Adam and RMSprop add `weight_decay`:
 * g ← g + weightDecay · θ for each kernel that has a gradient, before the optimizer (and its momentum or
 * moments) sees it. Coupled L2, not AdamW's decoupled decay. Kernels only: a variable is decayed when its
 * name ends in `/kernel`, `/depthwise_kernel` or `/pointwise_kernel` and it has at least two dimensions;
 * biases, batch-norm γ and β and every other 1-D variable keep their gradient: the "no bias decay" of
 * He, Zhang et al., "Bag of Tricks for Image Classification" (2019), §3.1, and what Keras' kernel
 * regularisers do. The PyTorch CIFAR distillation code (RepDistiller, mdistiller) hands all of
 * `model.parameters()` to SGD and so decays biases and γ, β as well. Variables without a gradient get no
 * decay, as PyTorch skips parameters whose grad is None. Call inside a tidy.
 */
export function addWeightDecay(
  gradients: tf.NamedTensorMap,
  variables: readonly tf.Variable[],
  weightDecay: number,
): tf.NamedTensorMap {
  if (weightDecay === 0) return gradients;
  const decayed: tf.NamedTensorMap = { ...gradients };
  for (const variable of variables) {
    const gradient = gradients[variable.name];
    if (gradient == null || variable.rank < 2 || !kernelName.test(variable.name)) continue;
    decayed[variable.name] = tf.add(gradient, tf.mul(variable, weightDecay));
  }
  return decayed;
}
