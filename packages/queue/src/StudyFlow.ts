/**
 * A study as the queue runs it, in three steps: the `setup` jobs (the stages every point shares, such as each
 * teacher once per seed), then the `runs` (one per point and seed), then the `summary`, the study's own job, once
 * every run is done. Each `data` is plain JSON (a config, a point, a seed, paths), never code: a worker resolves
 * plugins from its own installation.
 */
export interface StudyFlow<Data = unknown> {
  /** Unique in the queue; the jobs' ids derive from it (`<id>.setup.<i>`, `<id>.run.<i>`), so a job retried never runs twice. */
  readonly id: string;
  readonly name: string;
  readonly setup: readonly StudyTask<Data>[];
  readonly runs: readonly StudyTask<Data>[];
  readonly summary: Data;
}

export interface StudyTask<Data = unknown> {
  /** What `distillery status` calls the job: `seed 1: teachers`, `point 3 (T=4) seed 2`. */
  readonly label: string;
  readonly data: Data;
}
