import { DistilleryError } from '@distillery/core';
import { policyOptionField } from './policyOptionField.js';
import { policyOptionsOf } from './policyOptionsOf.js';
import type { TeacherPolicyOptions } from './TeacherPolicyOptions.js';
import type { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';
import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

/**
 * A strategy's policy, looked up in the registry and its options checked for `teacherCount` teachers,
 * when the strategy is created: a bad key or option fails before training, naming the field under `path`.
 */
export function selectPolicy(
  registry: TeacherPolicyRegistry,
  selection: {
    readonly policy: string;
    readonly weights?: readonly number[] | undefined;
    readonly policyOptions?: Readonly<Record<string, unknown>> | undefined;
  },
  teacherCount: number,
  path: string,
): { policy: TeacherWeightingPolicy; options: TeacherPolicyOptions } {
  const policy = registry.get(selection.policy, `${path}.policy`);
  const options = policyOptionsOf(selection.weights, selection.policyOptions);
  const problem = policy.validateOptions?.(options, teacherCount);
  if (problem !== undefined) {
    const field = `${path}.${policyOptionField(problem.option)}`;
    throw new DistilleryError(`${field}: ${problem.message}`, field);
  }
  return { policy, options };
}
