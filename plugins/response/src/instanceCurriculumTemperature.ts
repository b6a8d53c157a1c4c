import { stopGradient } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { CurriculumTemperature } from './CurriculumTemperature.js';
import { gradientReversal } from './gradientReversal.js';
import type { InstanceTemperatureOptions } from './InstanceTemperatureOptions.js';

/**
 * CTKD's instance-wise temperature (the reference code's `Instance_MLP`): per example, the teacher's top-k
 * probabilities (sorted) and the student's probabilities of the same classes, detached, go through
 * dense(2k → hidden) → batch norm (batch statistics) → ReLU → dense(hidden → 1) → GRL_λ, and
 * τ_b = min + (max − min) · sigmoid(output_b).
 *
 * As in the reference, the last layer starts at zero (every τ starts at the middle of the range) and the first
 * uses PyTorch's default initialisation, U(±1/√fan_in) for kernel and bias. The batch norm only ever runs on
 * training batches, so it keeps no moving statistics.
 */
export function instanceCurriculumTemperature(options: InstanceTemperatureOptions): CurriculumTemperature {
  const { range, topK, hidden, seed, variableName } = options;
  const bound = 1 / Math.sqrt(2 * topK);
  // tidy frees the initial values each variable copies.
  const weights = tf.tidy(() => ({
    kernel1: tf.variable(
      tf.randomUniform([2 * topK, hidden], -bound, bound, 'float32', `${seed}/kernel`),
      true,
      variableName('dense1/kernel'),
    ),
    bias1: tf.variable(tf.randomUniform([hidden], -bound, bound, 'float32', `${seed}/bias`), true, variableName('dense1/bias')),
    gamma: tf.variable(tf.ones([hidden]), true, variableName('norm/gamma')),
    beta: tf.variable(tf.zeros([hidden]), true, variableName('norm/beta')),
    kernel2: tf.variable(tf.zeros([hidden, 1]), true, variableName('dense2/kernel')),
    bias2: tf.variable(tf.zeros([1]), true, variableName('dense2/bias')),
  }));
  return {
    temperatures: (studentLogits, teacherLogits, lambda) =>
      tf.tidy(() => {
        const { values: teacherTop, indices } = tf.topk(tf.softmax(stopGradient(teacherLogits)), topK);
        // The student's probabilities of those classes; tfjs's gather with batchDims has no working gradient, and the
        // tape runs one for every op between the student's weights and the loss, so select with a one-hot mask.
        const studentProbs = tf.expandDims(tf.softmax(stopGradient(studentLogits)), 1);
        const studentAtTop = tf.sum(tf.mul(tf.oneHot(indices, options.numClasses), studentProbs), 2);
        const input = tf.concat([teacherTop, studentAtTop], 1);
        const hiddenPre = tf.add(tf.matMul(input, weights.kernel1), weights.bias1);
        const { mean, variance } = tf.moments(hiddenPre, 0);
        const normalized = tf.div(tf.sub(hiddenPre, mean), tf.sqrt(tf.add(variance, 1e-5)));
        const activated = tf.relu(tf.add(tf.mul(normalized, weights.gamma), weights.beta));
        const output = tf.reshape(tf.add(tf.matMul(activated, weights.kernel2), weights.bias2), [-1]);
        return tf.add(range.min, tf.mul(range.max - range.min, tf.sigmoid(gradientReversal(output, lambda))));
      }),
    variables: () => Object.values(weights),
    dispose: () => {
      for (const weight of Object.values(weights)) weight.dispose();
    },
  };
}
