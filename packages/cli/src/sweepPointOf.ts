import type { GridValue } from './GridValue.js';
import type { Summary } from './Summary.js';
import type { SweepPoint } from './SweepPoint.js';
import { statisticOf } from './statisticOf.js';

/** A finished point's line in sweep.json, from its run's summary. */
export function sweepPointOf(settings: Readonly<Record<string, GridValue>>, directory: string, summary: Summary): SweepPoint {
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
    ...(summary.seedRuns === undefined ? {} : { runs: summary.seedRuns }),
  };
}
