import type { ExperimentJob } from './ExperimentJob.js';
import type { PreparedExperiment } from './PreparedExperiment.js';

/** The experiment split into one job per seed. */
export function experimentJobs(
  prepared: PreparedExperiment,
  stageRoot = prepared.directory,
  stageLayout: ExperimentJob['stageLayout'] = 'by-name',
): ExperimentJob[] {
  return prepared.config.seeds.map((seed) => ({
    stageLayout,
    name: prepared.name,
    config: prepared.config,
    seed,
    baseDirectory: prepared.baseDirectory,
    runDirectory: prepared.directory,
    stageRoot,
  }));
}
