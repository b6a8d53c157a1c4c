import { readFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { parseConfig } from '@distillery/config';
import { DistilleryError } from '@distillery/core';
import { writeFileAtomic } from '@distillery/node';
import { applySetting } from './applySetting.js';
import { escapeHtml } from './escapeHtml.js';
import type { GridValue } from './GridValue.js';
import type { ProgressReporter } from './ProgressReporter.js';
import { renderSvg } from './renderSvg.js';
import { sweepChart } from './reportCharts.js';
import { runExperiment } from './runExperiment.js';
import type { Summary } from './Summary.js';

export interface SweepPoint {
  readonly settings: Readonly<Record<string, GridValue>>;
  readonly directory: string;
  /** The distilled student's validation accuracy (mean over seeds): what to choose by. */
  readonly accuracy: number;
  readonly testAccuracy: number;
  readonly gain?: number;
}

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
  const best = points.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  const directory = resolve(base.output, name);
  await writeFileAtomic(
    join(directory, 'sweep.json'),
    `${JSON.stringify({ grid, selectedBy: 'validation accuracy', best, points }, null, 2)}\n`,
  );
  const rows = points
    .map(
      (point) =>
        `<tr><td>${escapeHtml(JSON.stringify(point.settings))}</td><td>${(100 * point.accuracy).toFixed(2)}%</td><td>${(100 * point.testAccuracy).toFixed(2)}%</td><td>${point.gain === undefined ? '' : (100 * point.gain).toFixed(2)}</td></tr>`,
    )
    .join('\n');
  await writeFileAtomic(
    join(directory, 'report.html'),
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(name)} — Distillery sweep</title>
<style>body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
table { border-collapse: collapse; } th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.8rem; text-align: right; }</style></head>
<body><h1>${escapeHtml(name)}</h1>
<p>Best on validation: ${escapeHtml(JSON.stringify(best.settings))} (${(100 * best.accuracy).toFixed(2)}% validation, ${(100 * best.testAccuracy).toFixed(2)}% test).</p>
<div class="chart">${await renderSvg(sweepChart(points))}</div>
<table><tr><th>setting</th><th>student validation acc.</th><th>student test acc.</th><th>gain (points)</th></tr>
${rows}</table></body></html>
`,
  );
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
  return {
    settings,
    directory,
    accuracy: student?.validationAccuracy.mean ?? Number.NaN,
    testAccuracy: student?.accuracy.mean ?? Number.NaN,
    ...(summary.gain === undefined ? {} : { gain: summary.gain.mean }),
  };
}

function cartesian(grid: Readonly<Record<string, readonly GridValue[]>>): Record<string, GridValue>[] {
  return Object.entries(grid).reduce<Record<string, GridValue>[]>(
    (points, [key, values]) => points.flatMap((point) => values.map((value) => ({ ...point, [key]: value }))),
    [{}],
  );
}
