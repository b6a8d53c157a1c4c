import { helpedOnEverySeed } from './helpedOnEverySeed.js';
import type { Summary } from './Summary.js';

const points = (fraction: number) => `${fraction >= 0 ? '+' : '−'}${Math.abs(100 * fraction).toFixed(2)}`;
const percent = (fraction: number) => `${(100 * fraction).toFixed(2)} %`;

/**
 * Whether distillation helped, in plain sentences for the terminal and the report: the gain per seed
 * with its mean and spread, how many seeds it held on, and the share of the teacher–baseline gap it
 * closed. Empty without a baseline.
 */
export function describeGain(summary: Summary): string[] {
  const { gain, gapClosed } = summary;
  if (gain === undefined) return [];
  const better = gain.values.filter((value) => value > 0).length;
  const seeds = gain.values.length;
  const verdict = helpedOnEverySeed(gain)
    ? 'Distillation helped'
    : better > 0 && gain.mean > 0
      ? `Distillation helped on ${better} of ${seeds} seeds only`
      : 'Distillation did not help';
  const spread = seeds > 1 ? ` ± ${(100 * gain.std).toFixed(2)}` : '';
  const perSeed = seeds > 1 ? `; per seed ${gain.values.map(points).join(', ')}` : '';
  const sentences = [
    `${verdict}: the distilled student beat the student trained alone on ${better} of ${seeds} seed${seeds === 1 ? '' : 's'}, ` +
      `by ${points(gain.mean)}${spread} points of test accuracy${perSeed}.`,
  ];
  const baseline = summary.models.baseline?.accuracy.mean;
  if (gapClosed !== undefined && baseline !== undefined) {
    sentences.push(
      `It closed ${(100 * gapClosed.fraction).toFixed(0)} % of the ${(100 * gapClosed.gap).toFixed(2)}-point gap between ` +
        `the student trained alone (${percent(baseline)}) and ${gapClosed.reference} (${percent(baseline + gapClosed.gap)}).`,
    );
  }
  return sentences;
}
