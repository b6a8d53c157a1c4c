import { join } from 'node:path';
import { writeFileAtomic } from '@distillery/node';
import type { GridValue } from './GridValue.js';
import { renderSweepReport } from './renderSweepReport.js';
import type { SweepPoint } from './SweepPoint.js';

/**
 * sweep.json and the sweep's report.html, the point chosen on validation accuracy (never test): the same files
 * whether the points ran in this process or on a queue's workers.
 */
export async function writeSweepResults(
  directory: string,
  name: string,
  grid: Readonly<Record<string, readonly GridValue[]>>,
  points: readonly SweepPoint[],
): Promise<SweepPoint> {
  const chosen = points.reduce((best, point, i) => (point.accuracy > (points[best] as SweepPoint).accuracy ? i : best), 0);
  const best = points[chosen] as SweepPoint;
  await writeFileAtomic(
    join(directory, 'sweep.json'),
    `${JSON.stringify({ grid, selectedBy: 'validation accuracy', best, points }, null, 2)}\n`,
  );
  await writeFileAtomic(join(directory, 'report.html'), await renderSweepReport(name, points, chosen));
  return best;
}
