import * as tf from '@tensorflow/tfjs-core';
import { FusedAdam } from './FusedAdam.js';
import type { FusedAdamAttrs } from './FusedAdamAttrs.js';

/**
 * One Adam step of one variable: returns the updated variable, first moment and second moment, new
 * tensors the caller owns (inputs are left as they are, apart from a backend's private reuse of a buffer
 * no other tensor shares). Runs the backend's {@link FusedAdam} kernel where it has one, else the same
 * formula in float32 tensor operations, in this order:
 *   m' = m·β₁ + g·(1−β₁);  v' = v·β₂ + g²·(1−β₂);  θ' = θ + ((m'/c₁) / (√(v'/c₂) + ε))·(−lr).
 */
export function adamUpdate(
  variable: tf.Tensor,
  firstMoment: tf.Tensor,
  secondMoment: tf.Tensor,
  gradient: tf.Tensor,
  attrs: FusedAdamAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const allFloat32 = [variable, firstMoment, secondMoment, gradient].every((tensor) => tensor.dtype === 'float32');
  if (allFloat32 && tf.getKernel(FusedAdam, tf.getBackend()) !== undefined) {
    const inputs = { variable, firstMoment, secondMoment, gradient };
    return tf.engine().runKernel(FusedAdam, inputs, { ...attrs }) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
  }
  return tf.tidy(() => {
    const m = tf.add(tf.mul(firstMoment, attrs.beta1), tf.mul(gradient, 1 - attrs.beta1));
    const v = tf.add(tf.mul(secondMoment, attrs.beta2), tf.mul(tf.square(gradient), 1 - attrs.beta2));
    const step = tf.div(tf.div(m, attrs.biasCorrection1), tf.add(tf.sqrt(tf.div(v, attrs.biasCorrection2)), attrs.epsilon));
    return [tf.add(variable, tf.mul(step, -attrs.learningRate)), m, v];
  });
}
