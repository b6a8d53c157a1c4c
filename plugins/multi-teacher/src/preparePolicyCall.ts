import { DistilleryError } from '@distillery/core';
import type * as tf from '@tensorflow/tfjs-core';
import { builtInPolicyRegistry } from './builtInPolicyRegistry.js';
import type { MultiTeacherOptions } from './MultiTeacherOptions.js';
import { policyOptionField } from './policyOptionField.js';
import { policyOptionsOf } from './policyOptionsOf.js';
import type { TeacherWeightingInput } from './TeacherWeightingInput.js';
import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

/**
 * Checks a functional call's arguments (one-line {@link DistilleryError}s prefixed with `caller`), resolves
 * its policy (a built-in key, looked up in {@link builtInPolicyRegistry}, or the object given) and checks the
 * policy's options.
 */
export function preparePolicyCall(
  caller: string,
  teacherLogits: readonly tf.Tensor[],
  labels: tf.Tensor,
  options: MultiTeacherOptions,
): { policy: TeacherWeightingPolicy; input: TeacherWeightingInput } {
  const [first] = teacherLogits;
  if (first === undefined) throw new DistilleryError(`${caller}: expected the logits of at least one teacher, got none`);
  teacherLogits.forEach((logits, k) => {
    if (logits.rank !== 2) {
      throw new DistilleryError(
        `${caller}: expected teacher logits of shape [B, C], got teacher ${k} [${logits.shape.join(', ')}]`,
      );
    }
    if (logits.shape[0] !== first.shape[0] || logits.shape[1] !== first.shape[1]) {
      throw new DistilleryError(
        `${caller}: teacher ${k} logits [${logits.shape.join(', ')}] and teacher 0 logits [${first.shape.join(', ')}] differ in shape`,
      );
    }
  });
  if (labels.rank !== 1 || labels.shape[0] !== first.shape[0]) {
    throw new DistilleryError(
      `${caller}: labels [${labels.shape.join(', ')}] do not match teacher logits [${first.shape.join(', ')}]; expected one class index per example, shape [${first.shape[0]}]`,
    );
  }
  if (labels.dtype !== 'int32') throw new DistilleryError(`${caller}: labels must be int32 class indices, got ${labels.dtype}`);
  const { temperature } = options;
  if (!Number.isFinite(temperature) || temperature <= 0) {
    throw new DistilleryError(`${caller}: temperature must be a finite positive number, got ${temperature}`);
  }

  const policy = resolvePolicy(caller, options.policy);
  const policyOptions = policyOptionsOf(options.weights, options.policyOptions);
  const problem = policy.validateOptions?.(policyOptions, teacherLogits.length);
  if (problem !== undefined) throw new DistilleryError(`${caller}: ${policyOptionField(problem.option)}: ${problem.message}`);
  return {
    policy,
    input: {
      teacherLogits: teacherLogits as readonly tf.Tensor2D[],
      labels: labels as tf.Tensor1D,
      temperature,
      options: policyOptions,
      step: options.step ?? 0,
      seed: options.seed ?? 0,
    },
  };
}

function resolvePolicy(caller: string, policy: string | TeacherWeightingPolicy): TeacherWeightingPolicy {
  if (typeof policy === 'string') return builtInPolicyRegistry.get(policy, caller);
  if (policy.kind === 'target' && typeof policy.target !== 'function') {
    throw new DistilleryError(`${caller}: policy '${policy.key}' is of kind 'target' but has no target()`);
  }
  return policy;
}
