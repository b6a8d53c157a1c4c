import type { Statistic } from './Statistic.js';
import type { GapClosed, ModelSummary } from './Summary.js';

/**
 * The teacher–student gap that distillation closed (see {@link GapClosed}); undefined without a gain, without
 * a teacher, or when the reference is no better than the baseline (there is no gap to close).
 */
export function gapClosedOf(models: Readonly<Record<string, ModelSummary>>, gain: Statistic | undefined): GapClosed | undefined {
  const baseline = models.baseline;
  const teachers = Object.keys(models).filter((name) => models[name]?.role === 'teacher');
  const reference = models.ensemble !== undefined ? 'ensemble' : teachers.length === 1 ? teachers[0] : undefined;
  if (gain === undefined || baseline === undefined || reference === undefined) return undefined;
  const gap = (models[reference] as ModelSummary).accuracy.mean - baseline.accuracy.mean;
  if (!(gap > 0)) return undefined;
  return { reference, gap, fraction: gain.mean / gap };
}
