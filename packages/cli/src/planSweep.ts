import { resolve } from 'node:path';
import { applySetting } from './applySetting.js';
import type { GridValue } from './GridValue.js';
import { readExperimentConfig } from './readExperimentConfig.js';
import type { SweepPlanPoint } from './SweepPlanPoint.js';

/**
 * Every point of a grid with its config and run directory (`<output>/<config name>-sweep/<label>/`), each setting
 * applied and validated before anything trains, whether the points then run here or on a queue's workers.
 */
export async function planSweep(
  configPath: string,
  grid: Readonly<Record<string, readonly GridValue[]>>,
): Promise<{ name: string; directory: string; points: SweepPlanPoint[] }> {
  const base = await readExperimentConfig(configPath);
  const name = `${base.name}-sweep`;
  const points: SweepPlanPoint[] = [];
  for (const settings of cartesian(grid)) {
    const label = Object.entries(settings)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    const adjust = (config: typeof base.config) =>
      Object.entries(settings).reduce((adjusted, [key, value]) => applySetting(adjusted, key, value), config);
    const point = await readExperimentConfig(configPath, { adjust, name: `${name}/${label}` });
    points.push({ settings, label, name: point.name, directory: point.directory, config: point.config });
  }
  return { name, directory: resolve(base.config.output, name), points };
}

function cartesian(grid: Readonly<Record<string, readonly GridValue[]>>): Record<string, GridValue>[] {
  return Object.entries(grid).reduce<Record<string, GridValue>[]>(
    (points, [key, values]) => points.flatMap((point) => values.map((value) => ({ ...point, [key]: value }))),
    [{}],
  );
}
