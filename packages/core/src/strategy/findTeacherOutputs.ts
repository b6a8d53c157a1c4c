import { DistilleryError } from '../errors/DistilleryError.js';
import type { DistillationContext } from './DistillationContext.js';
import type { TeacherOutputs } from './TeacherOutputs.js';

/** The named teacher's outputs for this batch (name as resolved by {@link resolveTeacherName}). */
export function findTeacherOutputs(context: DistillationContext, teacherName: string, strategyKey: string): TeacherOutputs {
  const outputs = context.teachers.find(({ name }) => name === teacherName);
  if (outputs === undefined) {
    throw new DistilleryError(`${strategyKey}: teacher '${teacherName}' gave no outputs for this batch`);
  }
  return outputs;
}
