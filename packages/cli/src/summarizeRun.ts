import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DistilleryError } from '@distillery/core';
import { writeFileAtomic } from '@distillery/node';
import * as tf from '@tensorflow/tfjs-core';
import { gapClosedOf } from './gapClosedOf.js';
import type { MetricsRecord } from './MetricsRecord.js';
import type { PreparedExperiment } from './PreparedExperiment.js';
import { renderReport } from './renderReport.js';
import type { ModelFacts, SeedOutcome } from './SeedOutcome.js';
import type { ModelSummary, Summary } from './Summary.js';
import { statisticOf } from './statisticOf.js';

/**
 * summary.json and report.html from every seed's outcome. Model facts (parameters, size, latency) are
 * the first seed's; accuracies are mean and sample std over seeds; the gain is paired by seed.
 */
export async function summarizeRun(
  run: Pick<PreparedExperiment, 'config' | 'name' | 'directory'>,
  outcomes: readonly SeedOutcome[],
  wallSeconds: number,
): Promise<Summary> {
  const { config, directory } = run;
  const first = outcomes[0];
  if (first === undefined) throw new DistilleryError(`${directory}: no seed has finished`);
  const names = Object.keys(first.facts).sort((a, b) => order(a) - order(b));
  const models: Record<string, ModelSummary> = {};
  for (const name of names) {
    models[name] = {
      ...(first.facts[name] as ModelFacts),
      accuracy: statisticOf(outcomes.map((outcome) => outcome.accuracy[name] as number)),
      validationAccuracy: statisticOf(outcomes.map((outcome) => outcome.validationAccuracy[name] as number)),
    };
  }
  const gain = config.baseline
    ? statisticOf(outcomes.map((outcome) => (outcome.accuracy.student as number) - (outcome.accuracy.baseline as number)))
    : undefined;
  const gapClosed = gapClosedOf(models, gain);
  const diagnostics = Object.fromEntries(
    outcomes.flatMap((outcome) => (outcome.diagnostics === undefined ? [] : [[String(outcome.seed), outcome.diagnostics]])),
  );
  const summary: Summary = {
    name: run.name,
    ...(config.description === undefined ? {} : { description: config.description }),
    backend: tf.getBackend(),
    seeds: outcomes.map((outcome) => outcome.seed),
    classes: first.classes,
    examples: first.examples,
    models,
    ...(gain === undefined ? {} : { gain }),
    ...(gapClosed === undefined ? {} : { gapClosed }),
    ...(Object.keys(diagnostics).length === 0 ? {} : { teacherDiagnostics: diagnostics }),
    wallSeconds,
    seedRuns: outcomes.map(({ seed, worker, wallSeconds: seconds }) => ({ seed, worker, wallSeconds: seconds })),
  };
  const records = (await readFile(join(directory, 'metrics.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as MetricsRecord);
  await writeFileAtomic(join(directory, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFileAtomic(join(directory, 'report.html'), await renderReport(summary, records));
  return summary;
}

function order(name: string): number {
  if (name.startsWith('teacher:')) return 0;
  if (name.startsWith('peer:')) return 4;
  return { ensemble: 1, baseline: 2, student: 3 }[name] ?? 5;
}
