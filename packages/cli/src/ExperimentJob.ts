import type { ExperimentConfig } from '@distillery/config';

/**
 * One seed of an experiment as plain, serializable data: what a queue hands a worker. The worker
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
  /** How the store names stage folders: by name (a run's own), by name and fingerprint (a sweep's shared store). */
  readonly stageLayout?: 'by-name' | 'by-fingerprint';
  /** Where this seed's metrics lines go (default the run's metrics.jsonl); a queued seed writes a file of its own. */
  readonly metricsPath?: string;
  /** Who runs it, for seeds/<seed>.json, stage leases and trainings.jsonl (default `<host> pid <pid>`). */
  readonly worker?: string;
  /** How long a silent holder of a stage lease is presumed alive (see FileStageStore). */
  readonly leaseSeconds?: number;
}
