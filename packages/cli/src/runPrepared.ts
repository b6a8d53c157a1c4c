import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ExperimentJob } from './ExperimentJob.js';
import { experimentJobs } from './experimentJobs.js';
import type { PreparedExperiment } from './PreparedExperiment.js';
import type { ProgressReporter } from './ProgressReporter.js';
import type { RunInterruption } from './RunInterruption.js';
import { runSeed } from './runSeed.js';
import type { SeedOutcome } from './SeedOutcome.js';
import type { Summary } from './Summary.js';
import { summarizeRun } from './summarizeRun.js';

/**
 * Runs a prepared experiment into its run directory: each seed as an {@link ExperimentJob} (the stages:
 * zoo teachers, the distilled student, the baseline; metrics.jsonl line by line; a checkpoint of the
 * model in training after every epoch; reusable stage outputs; seeds/<seed>.json with the test-set
 * evaluation), then summary.json, the student's model files and report.html from all seeds.
 */
export async function runPrepared(
  prepared: PreparedExperiment,
  progress: ProgressReporter,
  /** Where stage outputs are kept; sweeps share one so identical stages (teachers, baselines) train once. */
  stageRoot = prepared.directory,
  interruption?: RunInterruption,
  stageLayout: ExperimentJob['stageLayout'] = 'by-name',
): Promise<Summary> {
  const started = performance.now();
  await mkdir(prepared.directory, { recursive: true });
  await writeFile(join(prepared.directory, 'config.yaml'), stringify(prepared.config));
  await rm(join(prepared.directory, 'metrics.jsonl'), { force: true });
  const outcomes: SeedOutcome[] = [];
  for (const job of experimentJobs(prepared, stageRoot, stageLayout))
    outcomes.push(await runSeed(prepared, job, progress, interruption));
  return summarizeRun(prepared, outcomes, (performance.now() - started) / 1000);
}
