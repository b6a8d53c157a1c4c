import type { EvaluationMetrics } from '../evaluation/EvaluationMetrics.js';
import type { TeacherCacheStats } from '../teachers/TeacherCacheStats.js';

export interface EpochMetrics {
  readonly epoch: number;
  /** Mean over the epoch's batches of the weighted total loss. */
  readonly loss: number;
  /** Mean over the epoch's batches of each unweighted term. */
  readonly losses: Readonly<Record<string, number>>;
  /**
   * Mean over the epoch's batches of each named part a strategy reports (DKD's `target` and `nonTarget`),
   * by term name then part name. Present when some strategy declares `lossParts`.
   */
  readonly lossParts?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Rate at the epoch's last step. */
  readonly learningRate: number;
  readonly seconds: number;
  /** Present when a validation set was given to `fit`. */
  readonly validation?: EvaluationMetrics;
  /** Present when the teacher-output cache is on: batches whose teacher outputs were read, and computed. */
  readonly teacherCache?: TeacherCacheStats;
}
