import type { TeacherPolicyOptions } from './TeacherPolicyOptions.js';

/** The options a policy sees: the entries of `policyOptions`, and `weights` when given. */
export function policyOptionsOf(
  weights: readonly number[] | undefined,
  policyOptions: Readonly<Record<string, unknown>> | undefined,
): TeacherPolicyOptions {
  return { ...policyOptions, ...(weights === undefined ? {} : { weights }) };
}
