import { loadedModelTypes } from '@distillery/config';
import type { StudyJob, StudyPlace } from './StudyJob.js';
import type { SweepPlanPoint } from './SweepPlanPoint.js';

/** The queue's flow for a study (see @distillery/queue's `StudyFlow`), with the CLI's jobs as its data. */
export interface PlannedStudy {
  readonly id: string;
  readonly name: string;
  readonly setup: { readonly label: string; readonly data: StudyJob }[];
  readonly runs: { readonly label: string; readonly data: StudyJob }[];
  readonly summary: StudyJob;
}

/**
 * Splits a study into jobs. Setup jobs train what points share, once per seed: the teachers of each distinct teacher
 * configuration, and the baseline of each distinct student and training configuration (a grid over a strategy's
 * options has one of each per seed; a grid over epochs has a baseline per point). Then one run per point and seed,
 * which finds those stages in the store (same fingerprints) and trains only its own.
 */
export function planStudy(
  id: string,
  place: StudyPlace,
  points: readonly (SweepPlanPoint & { readonly kept: boolean })[],
): PlannedStudy {
  const pending = points.filter((point) => !point.kept);
  const setup: PlannedStudy['setup'] = [];
  const runs: PlannedStudy['runs'] = [];
  const seeds = [...new Set(pending.flatMap((point) => point.config.seeds))];
  for (const seed of seeds) {
    const teachersSeen = new Set<string>();
    const baselinesSeen = new Set<string>();
    for (const point of pending.filter((candidate) => candidate.config.seeds.includes(seed))) {
      const { config } = point;
      const trainsTeachers = config.teachers.some(
        (teacher) => !loadedModelTypes.includes(teacher.model.type) && teacher.training !== undefined,
      );
      const teachersKey = JSON.stringify([config.teachers, config.data, config.backend]);
      if (trainsTeachers && !teachersSeen.has(teachersKey)) {
        teachersSeen.add(teachersKey);
        const label = `seed ${seed}: teachers${teachersSeen.size > 1 ? ` as in ${point.label}` : ''}`;
        setup.push({ label, data: { step: 'setup', place, point, seed, stages: 'teachers' } });
      }
      const baselineKey = JSON.stringify([config.student, config.training, config.data, config.backend]);
      if (config.baseline && !baselinesSeen.has(baselineKey)) {
        baselinesSeen.add(baselineKey);
        const label = `seed ${seed}: baseline${baselinesSeen.size > 1 ? ` as in ${point.label}` : ''}`;
        setup.push({ label, data: { step: 'setup', place, point, seed, stages: 'baseline' } });
      }
    }
  }
  for (const point of pending) {
    for (const seed of point.config.seeds) {
      const label = place.kind === 'sweep' ? `${point.label} seed ${seed}` : `seed ${seed}`;
      runs.push({ label, data: { step: 'run', place, point, seed } });
    }
  }
  return { id, name: place.name, setup, runs, summary: { step: 'summary', place, points } };
}
