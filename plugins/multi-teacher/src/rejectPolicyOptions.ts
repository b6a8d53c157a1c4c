import type { PolicyOptionsProblem } from './PolicyOptionsProblem.js';
import type { TeacherPolicyOptions } from './TeacherPolicyOptions.js';

/**
 * The first option `policyKey` does not take, as a problem, or `undefined`: the built-in policies are as
 * strict about their options as the strategies' schemas, so a `weights` meant for `weighted` is never
 * silently ignored under another policy.
 */
export function rejectPolicyOptions(
  policyKey: string,
  options: TeacherPolicyOptions,
  accepted: readonly string[] = [],
): PolicyOptionsProblem | undefined {
  const unexpected = Object.keys(options).find((name) => options[name] !== undefined && !accepted.includes(name));
  if (unexpected === undefined) return undefined;
  if (unexpected === 'weights') {
    return { option: 'weights', message: `only the 'weighted' policy takes weights; the policy is '${policyKey}'` };
  }
  return { option: unexpected, message: `the '${policyKey}' policy takes no option '${unexpected}'` };
}
