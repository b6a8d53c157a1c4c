import { confidencePolicy } from './confidencePolicy.js';
import { entropyPolicy } from './entropyPolicy.js';
import { meanLogitsPolicy } from './meanLogitsPolicy.js';
import { meanProbsPolicy } from './meanProbsPolicy.js';
import { randomPolicy } from './randomPolicy.js';
import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';
import { uniformPolicy } from './uniformPolicy.js';
import { weightedPolicy } from './weightedPolicy.js';

/**
 * The policies this package ships, by key. The plugin binds each of them into the container's
 * `TeacherPolicyRegistry`; the functional API looks keys up in a registry of them (`builtInPolicyRegistry`).
 */
export const builtInPolicies: ReadonlyMap<string, TeacherWeightingPolicy> = new Map(
  [meanProbsPolicy, meanLogitsPolicy, uniformPolicy, weightedPolicy, confidencePolicy, entropyPolicy, randomPolicy].map(
    (policy) => [policy.key, policy],
  ),
);
