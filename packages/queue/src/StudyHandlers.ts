import type { JobReporter } from './JobReporter.js';

/**
 * What a worker does with each kind of job. A handler that throws a `DistilleryError` (bad input) or a
 * `StrategyFailure` (a plugin's bug) fails the job at once with that line; anything else (a crash, a lost lease, a
 * full disk) is retried with backoff, on whichever worker is free, a bounded number of times.
 */
export interface StudyHandlers<Data = unknown> {
  setup(data: Data, job: JobReporter): Promise<void>;
  /** Its value is kept with the job (JSON). */
  run(data: Data, job: JobReporter): Promise<unknown>;
  summary(data: Data, job: JobReporter): Promise<unknown>;
}
