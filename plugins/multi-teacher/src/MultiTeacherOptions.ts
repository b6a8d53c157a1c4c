import type { TeacherWeightingPolicy } from './TeacherWeightingPolicy.js';

/** Options of the functional API (`combineTeachers`, `teacherWeights`, `multiTeacherKdLoss`). */
export interface MultiTeacherOptions {
  /** A built-in policy's key (`'confidence'`), or a policy object of your own. */
  readonly policy: string | TeacherWeightingPolicy;
  /** The KD temperature T, a finite number > 0. */
  readonly temperature: number;
  /** For `weighted`: c_k, one per teacher, ≥ 0 and not all 0. */
  readonly weights?: readonly number[];
  /** Options for a policy of your own; passed to it with `weights`. */
  readonly policyOptions?: Readonly<Record<string, unknown>>;
  /** Optimizer step, for policies that change per batch (`random`); default 0. */
  readonly step?: number;
  /** Seed of policies' random choices (`random`); default 0. */
  readonly seed?: number;
}
