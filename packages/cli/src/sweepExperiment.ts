import { readFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { parseConfig } from '@distillery/config';
import { DistilleryError } from '@distillery/core';
import { writeFileAtomic } from '@distillery/node';
import { applySetting } from './applySetting.js';
import type { GridValue } from './GridValue.js';
import type { ProgressReporter } from './ProgressReporter.js';
import { renderSweepReport } from './renderSweepReport.js';
import { runExperiment } from './runExperiment.js';
import type { Summary } from './Summary.js';
import type { SweepPoint } from './SweepPoint.js';
import { statisticOf } from './statisticOf.js';

/**
 * `distillery sweep <config> --grid temperature=1,2,4,8 --grid alpha=0.5,0.9`: one run per point of
 * the grid, each in `<output>/<name>-sweep/<setting>/`, then sweep.json and a report with the
 * heatmap. The best point is chosen on validation accuracy, never on the test set. Points that already
 * hold a finished run are kept (so an interrupted sweep goes on where it stopped) unless `overwrite`. The points share
 * one stage store, so stages a setting does not change (the teachers, the baseline) train once.
 */
export async function sweepExperiment(
  configPath: string,
  grid: Readonly<Record<string, readonly GridValue[]>>,
  options: { readonly progress: ProgressReporter; readonly overwrite?: boolean },
): Promise<{ directory: string; points: SweepPoint[]; best: SweepPoint }> {
  const text = await readFile(configPath, 'utf8').catch(() => {
    throw new DistilleryError(`config file not found: ${configPath}`);
  });
  const base = parseConfig(text, configPath);
  const name = `${base.name ?? basename(configPath, extname(configPath))}-sweep`;
  const settings = cartesian(grid);
  // Every point is validated before the first one trains.
  for (const setting of settings)
    Object.entries(setting).reduce((config, [key, value]) => applySetting(config, key, value), base);

  const points: SweepPoint[] = [];
  for (const setting of settings) {
    const label = Object.entries(setting)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    const pointDirectory = resolve(base.output, name, label);
    const finished = options.overwrite === true ? undefined : await finishedSummary(pointDirectory);
    if (finished !== undefined) {
      // An interrupted or repeated sweep keeps the points it already finished.
      options.progress.line(`sweep point ${points.length + 1}/${settings.length}: ${label} (finished earlier, kept)`);
      points.push(pointOf(setting, pointDirectory, finished));
      continue;
    }
    options.progress.line(`sweep point ${points.length + 1}/${settings.length}: ${label}`);
    const { directory, summary } = await runExperiment(configPath, {
      progress: options.progress,
      ...(options.overwrite === undefined ? {} : { overwrite: options.overwrite }),
      name: `${name}/${label}`,
      stageRoot: resolve(base.output, name),
      adjust: (config) => Object.entries(setting).reduce((adjusted, [key, value]) => applySetting(adjusted, key, value), config),
    });
    points.push(pointOf(setting, directory, summary));
  }
  const chosen = points.reduce((best, point, i) => (point.accuracy > (points[best] as SweepPoint).accuracy ? i : best), 0);
  const best = points[chosen] as SweepPoint;
  const directory = resolve(base.output, name);
  await writeFileAtomic(
    join(directory, 'sweep.json'),
    `${JSON.stringify({ grid, selectedBy: 'validation accuracy', best, points }, null, 2)}\n`,
  );
  await writeFileAtomic(join(directory, 'report.html'), await renderSweepReport(name, points, chosen));
  return { directory, points, best };
}

async function finishedSummary(directory: string): Promise<Summary | undefined> {
  try {
    return JSON.parse(await readFile(join(directory, 'summary.json'), 'utf8')) as Summary;
  } catch {
    return undefined;
  }
}

function pointOf(settings: Record<string, GridValue>, directory: string, summary: Summary): SweepPoint {
  const student = summary.models.student;
  const baseline = summary.models.baseline;
  return {
    settings,
    directory,
    accuracy: student?.validationAccuracy.mean ?? Number.NaN,
    testAccuracy: student?.accuracy.mean ?? Number.NaN,
    ...(summary.gain === undefined ? {} : { gain: summary.gain.mean }),
    ...(baseline === undefined || student === undefined
      ? {}
      : {
          validationGain: statisticOf(
            student.validationAccuracy.values.map((value, i) => value - (baseline.validationAccuracy.values[i] as number)),
          ),
        }),
  };
}

function cartesian(grid: Readonly<Record<string, readonly GridValue[]>>): Record<string, GridValue>[] {
  return Object.entries(grid).reduce<Record<string, GridValue>[]>(
    (points, [key, values]) => points.flatMap((point) => values.map((value) => ({ ...point, [key]: value }))),
    [{}],
  );
}
