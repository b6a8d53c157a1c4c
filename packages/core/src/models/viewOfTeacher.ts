import type { Logger } from '../composition/Logger.js';
import { ForwardModelView } from './ForwardModelView.js';
import { isForwardModel } from './isForwardModel.js';
import { ModelView } from './ModelView.js';
import type { Teacher } from './Teacher.js';
import type { TeacherView } from './TeacherView.js';

/**
 * The view the kernel runs `teacher` through, with `taps` among its outputs: a ModelView, or a ForwardModelView.
 * `role` names it in errors.
 */
export function viewOfTeacher(
  teacher: Teacher,
  taps: readonly string[],
  logger: Logger,
  role = `teacher '${teacher.name}'`,
): TeacherView {
  return isForwardModel(teacher.model)
    ? new ForwardModelView(role, teacher.model, taps)
    : new ModelView(role, teacher.model, taps, logger);
}
