import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TeacherWeightingInput } from './TeacherWeightingInput.js';
import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

/** `policy.weights(input)`, checked to be [B, K]: a policy of one's own that gets the shape wrong fails here, by name. */
export function policyWeights(policy: TeacherWeightingPolicy, input: TeacherWeightingInput): tf.Tensor2D {
  const weights = policy.weights(input);
  const expected = [input.labels.shape[0] as number, input.teacherLogits.length];
  if (!tf.util.arraysEqual(weights.shape, expected)) {
    weights.dispose();
    throw new DistilleryError(
      `policy '${policy.key}' returned weights [${weights.shape.join(', ')}]; expected [B, K] = [${expected.join(', ')}]`,
    );
  }
  return weights;
}
