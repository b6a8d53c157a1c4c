import { rejectPolicyOptions } from './rejectPolicyOptions.js';
import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';
import { uniformWeights } from './uniformWeights.js';

/**
 * `uniform`: every teacher's own KD term counts equally, w_bk = 1/K — the average of the per-teacher losses
 * (CA-MKD's `AVERAGE_LOSS` baseline), as opposed to `mean-probs`, which averages the targets.
 */
export const uniformPolicy: TeacherWeightingPolicy = {
  key: 'uniform',
  description: 'each teacher’s own KD term, weighted equally: w = 1/K',
  kind: 'weights',
  weights: ({ teacherLogits }) => uniformWeights(teacherLogits[0]?.shape[0] ?? 0, teacherLogits.length),
  validateOptions: (options) => rejectPolicyOptions('uniform', options),
};
