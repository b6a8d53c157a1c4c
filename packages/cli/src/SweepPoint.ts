import type { GridValue } from './GridValue.js';
import type { Statistic } from './Statistic.js';

/** One point of a sweep's grid, as sweep.json records it. */
export interface SweepPoint {
  readonly settings: Readonly<Record<string, GridValue>>;
  readonly directory: string;
  /** The distilled student's validation accuracy (mean over seeds): what to choose by. */
  readonly accuracy: number;
  readonly testAccuracy: number;
  /** Student − baseline test accuracy, mean over seeds (reported, never chosen by). */
  readonly gain?: number;
  /** Student − baseline validation accuracy, paired by seed: what the chart shows. */
  readonly validationGain?: Statistic;
  /** Each seed's worker and wall time. */
  readonly runs?: readonly { readonly seed: number; readonly worker: string; readonly wallSeconds: number }[];
}
