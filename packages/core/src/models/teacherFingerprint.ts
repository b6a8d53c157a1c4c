import { isForwardModel } from './isForwardModel.js';
import { modelFingerprint } from './modelFingerprint.js';
import type { TeacherModel } from './TeacherModel.js';

/** SHA-256 (hex) that changes whenever a teacher's outputs could: its own fingerprint for a model only run forward. */
export function teacherFingerprint(model: TeacherModel): Promise<string> {
  return isForwardModel(model) ? model.fingerprint() : modelFingerprint(model);
}
