import type { EpochMetrics } from '@distillery/core';

/** One line of metrics.jsonl: an epoch of one stage of one seed. */
export interface MetricsRecord extends EpochMetrics {
  readonly seed: number;
  readonly stage: string;
  /** What the stage trains: `teacher:<name>`, `student` or `baseline`. */
  readonly model: string;
}
