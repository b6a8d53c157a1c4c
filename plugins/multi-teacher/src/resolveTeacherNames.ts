import { DistilleryError, type StrategyCreationContext } from '@distillery/core';

/**
 * The teachers a multi-teacher strategy learns from: those named in `requested` (in that order), or else
 * every teacher of the experiment. Throws a one-line {@link DistilleryError} naming `<path>.teachers[i]`.
 */
export function resolveTeacherNames(
  requested: readonly string[] | undefined,
  strategyKey: string,
  context: StrategyCreationContext,
): string[] {
  const { teacherNames, path } = context;
  if (teacherNames.length === 0) {
    throw new DistilleryError(`${path}.teachers: ${strategyKey} needs teachers, but the experiment has none`, `${path}.teachers`);
  }
  if (requested === undefined) return [...teacherNames];
  requested.forEach((name, i) => {
    const field = `${path}.teachers[${i}]`;
    if (!teacherNames.includes(name)) {
      throw new DistilleryError(`${field}: unknown teacher '${name}'; the teachers are: ${teacherNames.join(', ')}`, field);
    }
    if (requested.indexOf(name) !== i) throw new DistilleryError(`${field}: teacher '${name}' is listed twice`, field);
  });
  return [...requested];
}
