import type { RetryPolicy } from './RetryPolicy.js';
import type { StudyTask } from './StudyFlow.js';

/** A setup or run job's data in Redis. */
export interface TaskJobData<Data = unknown> {
  readonly study: string;
  readonly label: string;
  readonly payload: Data;
}

/** The summary job's data: what it adds once the setup is done, and where it is. */
export interface SummaryJobData<Data = unknown> {
  readonly study: string;
  readonly name: string;
  readonly setupLabels: readonly string[];
  readonly runs: readonly StudyTask<Data>[];
  readonly summary: Data;
  readonly retry: RetryPolicy;
  /** `setup` until the runs have been added, then `runs`. */
  readonly step: 'setup' | 'runs';
}
