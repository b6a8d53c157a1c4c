import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { PolicyOptionsProblem } from './PolicyOptionsProblem.js';
import { rejectPolicyOptions } from './rejectPolicyOptions.js';
import type { TeacherPolicyOptions } from './TeacherPolicyOptions.js';
import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

/**
 * `weighted`: fixed per-teacher weights from the config, the same for every example:
 *
 *   w_bk = c_k / Σ_j c_j,   c_k ≥ 0, not all 0, one per teacher (option `weights`)
 */
export const weightedPolicy: TeacherWeightingPolicy = {
  key: 'weighted',
  description: 'each teacher’s own KD term with fixed weights c_k / Σ c_j from the option weights (one per teacher)',
  kind: 'weights',
  weights: ({ teacherLogits, options }) => {
    const problem = describeWeightsProblem(options, teacherLogits.length);
    if (problem !== undefined) throw new DistilleryError(`weighted policy: ${problem.option}: ${problem.message}`);
    const given = options.weights as readonly number[];
    const total = given.reduce((sum, c) => sum + c, 0);
    const batchSize = teacherLogits[0]?.shape[0] ?? 0;
    return tf.tidy(() => tf.tile(tf.tensor2d([given.map((c) => c / total)]), [batchSize, 1]) as tf.Tensor2D);
  },
  validateOptions: describeWeightsProblem,
};

function describeWeightsProblem(options: TeacherPolicyOptions, teacherCount: number): PolicyOptionsProblem | undefined {
  const other = rejectPolicyOptions('weighted', options, ['weights']);
  if (other !== undefined) return other;
  const { weights } = options;
  const problem = (message: string): PolicyOptionsProblem => ({ option: 'weights', message });
  if (weights === undefined) return problem(`the 'weighted' policy needs weights, one per teacher (${teacherCount})`);
  if (!Array.isArray(weights) || weights.some((c) => typeof c !== 'number' || !Number.isFinite(c))) {
    return problem('expected an array of finite numbers, one per teacher');
  }
  if (weights.length !== teacherCount) {
    return problem(`expected one weight per teacher (${teacherCount}), got ${weights.length}`);
  }
  if (weights.some((c) => c < 0)) return problem(`expected weights ≥ 0, got [${weights.join(', ')}]`);
  if (!weights.some((c) => c > 0)) return problem(`at least one weight must be positive, got [${weights.join(', ')}]`);
  return undefined;
}
