import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { policyWeights } from './policyWeights.js';
import type { TeacherWeightingInput } from './TeacherWeightingInput.js';
import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

/**
 * The ensemble's class probabilities [B, C] under `policy`: its own `target()` for target-combining
 * policies, else the weighted mixture Σ_k w_bk softmax(z_k / T) with the policy's weights [B, K] (`weights`
 * when the caller has them already).
 */
export function policyTarget(policy: TeacherWeightingPolicy, input: TeacherWeightingInput, weights?: tf.Tensor2D): tf.Tensor2D {
  const { teacherLogits, temperature } = input;
  const expected = teacherLogits[0]?.shape ?? [];
  if (policy.kind === 'target') {
    if (policy.target === undefined) throw new DistilleryError(`policy '${policy.key}' is of kind 'target' but has no target()`);
    const target = policy.target(input);
    if (!tf.util.arraysEqual(target.shape, expected)) {
      target.dispose();
      throw new DistilleryError(
        `policy '${policy.key}' returned a target [${target.shape.join(', ')}]; expected [B, C] = [${expected.join(', ')}]`,
      );
    }
    return target;
  }
  return tf.tidy(() => {
    const probabilities = tf.stack(
      teacherLogits.map((logits) => tf.softmax(tf.div(logits, temperature))),
      1,
    ) as tf.Tensor3D;
    return tf.sum(tf.mul(probabilities, tf.expandDims(weights ?? policyWeights(policy, input), 2)), 1) as tf.Tensor2D;
  });
}
