import type { Statistic } from './Statistic.js';

/** The claim the verdict makes and the report colours green: the distilled student gained on every seed. */
export function helpedOnEverySeed(gain: Statistic | undefined): boolean {
  return gain !== undefined && gain.values.length > 0 && gain.values.every((value) => value > 0);
}
