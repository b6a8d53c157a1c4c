import { finishedSummary } from './finishedSummary.js';
import type { GridValue } from './GridValue.js';
import type { ProgressReporter } from './ProgressReporter.js';
import { planSweep } from './planSweep.js';
import { runExperiment } from './runExperiment.js';
import type { SweepPoint } from './SweepPoint.js';
import { sweepPointOf } from './sweepPointOf.js';
import { writeSweepResults } from './writeSweepResults.js';

/**
 * `distillery sweep <config> --grid temperature=1,2,4,8 --grid alpha=0.5,0.9`: one run per point of
 * the grid, each in `<output>/<name>-sweep/<setting>/`, then sweep.json and a report with the
 * heatmap. The best point is chosen on validation accuracy, never on the test set. Points that already
 * hold a finished run are kept (so an interrupted sweep goes on where it stopped) unless `overwrite`. The points share
 * one stage store, keyed by fingerprint, so stages a setting does not change (the teachers, the baseline) train once
 * and stages it does change never overwrite each other's. `submitSweep` runs the same points on a queue.
 */
export async function sweepExperiment(
  configPath: string,
  grid: Readonly<Record<string, readonly GridValue[]>>,
  options: { readonly progress: ProgressReporter; readonly overwrite?: boolean },
): Promise<{ directory: string; points: SweepPoint[]; best: SweepPoint }> {
  const plan = await planSweep(configPath, grid);
  const points: SweepPoint[] = [];
  for (const point of plan.points) {
    const finished = options.overwrite === true ? undefined : await finishedSummary(point.directory);
    const position = `sweep point ${points.length + 1}/${plan.points.length}: ${point.label}`;
    if (finished !== undefined) {
      // An interrupted or repeated sweep keeps the points it already finished.
      options.progress.line(`${position} (finished earlier, kept)`);
      points.push(sweepPointOf(point.settings, point.directory, finished));
      continue;
    }
    options.progress.line(position);
    const { directory, summary } = await runExperiment(configPath, {
      progress: options.progress,
      ...(options.overwrite === undefined ? {} : { overwrite: options.overwrite }),
      name: point.name,
      stageRoot: plan.directory,
      stageLayout: 'by-fingerprint',
      adjust: () => point.config,
    });
    points.push(sweepPointOf(point.settings, directory, summary));
  }
  const best = await writeSweepResults(plan.directory, plan.name, grid, points);
  return { directory: plan.directory, points, best };
}
