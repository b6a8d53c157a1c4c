import { DistilleryError, type TapShapes } from '@distillery/core';
import { HintAdapter } from './HintAdapter.js';

/** One adapter's pairing: a student layer to a teacher's layer. */
export interface HintPair {
  readonly student: string;
  readonly teacher: string;
  readonly teacherLayer: string;
}

export interface BuildHintAdaptersOptions {
  /** Strategy key and instance number, for unique variable names. */
  readonly key: string;
  readonly instance: number;
  /** Where the pairs stand in the config (`strategies[1].options`), for errors. */
  readonly path: string;
  readonly seed: number;
  readonly resize: 'bilinear' | 'refuse';
}

/**
 * Builds one {@link HintAdapter} per pair from the tapped static shapes. If a later pair's shapes are
 * refused, the adapters already built are freed before the error goes on, so no variable is stranded.
 */
export function buildHintAdapters(
  pairs: readonly HintPair[],
  shapes: TapShapes,
  options: BuildHintAdaptersOptions,
): HintAdapter[] {
  const adapters: HintAdapter[] = [];
  try {
    pairs.forEach((pair, index) => {
      const where = `${options.path}.pairs[${index}]`;
      const studentShape = shapes.student[pair.student];
      const teacherShape = shapes.teachers[pair.teacher]?.[pair.teacherLayer];
      if (studentShape === undefined || teacherShape === undefined) {
        throw new DistilleryError(`${where}: the kernel gave no shape for a tapped layer`, where);
      }
      adapters.push(
        new HintAdapter({
          name: `${options.key}/${options.instance}/pairs[${index}]`,
          studentShape,
          teacherShape,
          seed: `${options.seed}/${options.key}/${index}`,
          resize: options.resize,
          labels: {
            where,
            student: `student layer '${pair.student}'`,
            teacher: `teacher '${pair.teacher}' layer '${pair.teacherLayer}'`,
          },
        }),
      );
    });
  } catch (error) {
    for (const adapter of adapters) adapter.dispose();
    throw error;
  }
  return adapters;
}
