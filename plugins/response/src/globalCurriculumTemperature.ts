import * as tf from '@tensorflow/tfjs-core';
import type { CurriculumTemperature } from './CurriculumTemperature.js';
import { gradientReversal } from './gradientReversal.js';
import type { TemperatureRange } from './TemperatureRange.js';

/**
 * CTKD's global temperature: one learned scalar θ (initial value 1, as the reference code's `Global_T`), and
 * τ = min + (max − min) · sigmoid(GRL_λ(θ)). With the reference range (min 1, max 21: its `t_start` 1 and
 * `t_end` 20) training starts at τ = 1 + 20 · sigmoid(1) ≈ 15.62.
 *
 * @param variableName the experiment-unique name of θ (tfjs keys gradients by variable name)
 */
export function globalCurriculumTemperature(range: TemperatureRange, variableName: string): CurriculumTemperature {
  const theta = tf.tidy(() => tf.variable(tf.ones([1]), true, variableName));
  return {
    temperatures: (_student, _teacher, lambda) =>
      tf.tidy(() =>
        tf.add(range.min, tf.mul(range.max - range.min, tf.sigmoid(tf.reshape(gradientReversal(theta, lambda), [])))),
      ),
    variables: () => [theta],
    dispose: () => theta.dispose(),
  };
}
