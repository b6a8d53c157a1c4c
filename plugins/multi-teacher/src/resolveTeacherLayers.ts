import { DistilleryError, type StrategyCreationContext } from '@distillery/core';

/**
 * Each teacher's layer for a strategy with a `teacherLayer` option given as one name for every teacher or as an
 * object by teacher name (`multi.crd`), in `teachers` order. A name in the object that is not a teacher of the
 * experiment, or not one the strategy learns from, and a teacher the object leaves out, are one-line
 * {@link DistilleryError}s naming `<path>.teacherLayer`.
 */
export function resolveTeacherLayers(
  teacherLayer: string | Readonly<Record<string, string>>,
  teachers: readonly string[],
  context: StrategyCreationContext,
): string[] {
  if (typeof teacherLayer === 'string') return teachers.map(() => teacherLayer);
  const field = `${context.path}.teacherLayer`;
  for (const name of Object.keys(teacherLayer)) {
    if (!context.teacherNames.includes(name)) {
      throw new DistilleryError(
        `${field}.${name}: unknown teacher '${name}'; the teachers are: ${context.teacherNames.join(', ')}`,
        `${field}.${name}`,
      );
    }
    if (!teachers.includes(name)) {
      throw new DistilleryError(
        `${field}.${name}: teacher '${name}' is not one this strategy learns from (teachers: ${teachers.join(', ')})`,
        `${field}.${name}`,
      );
    }
  }
  return teachers.map((name) => {
    const layer = teacherLayer[name];
    if (layer === undefined) {
      throw new DistilleryError(
        `${field}: no layer for teacher '${name}'; expected one layer name per teacher (${teachers.join(', ')}), or one name for all`,
        field,
      );
    }
    return layer;
  });
}
