import type { ExperimentConfig } from '@distillery/config';

/**
 * One seed of an experiment as plain, serializable data: what a queue would hand a worker. The worker
 * prepares the experiment from `config` (plugins and paths resolve from `baseDirectory`), runs the seed
 * into `runDirectory` with `runSeed`, and `summarizeRun` collects the seeds afterwards.
 */
export interface ExperimentJob {
  readonly name: string;
  readonly config: ExperimentConfig;
  readonly seed: number;
  readonly baseDirectory: string;
  readonly runDirectory: string;
  /** Where stage outputs are shared (the run directory, or a sweep's). */
  readonly stageRoot: string;
}
