import { DistilleryError } from '../errors/DistilleryError.js';
import type { StrategyCreationContext } from './StrategyCreationContext.js';

/**
 * The teacher a single-teacher strategy distils from: the one named in its `teacher` option, or else the
 * experiment's first. Throws a one-line {@link DistilleryError} naming `<path>.teacher` when there is none.
 */
export function resolveTeacherName(requested: string | undefined, strategyKey: string, context: StrategyCreationContext): string {
  const field = `${context.path}.teacher`;
  const { teacherNames } = context;
  if (teacherNames.length === 0) {
    throw new DistilleryError(`${field}: ${strategyKey} needs a teacher, but the experiment has none`, field);
  }
  if (requested === undefined) return teacherNames[0] as string;
  if (!teacherNames.includes(requested)) {
    throw new DistilleryError(`${field}: unknown teacher '${requested}'; the teachers are: ${teacherNames.join(', ')}`, field);
  }
  return requested;
}
