import type { ModelOutputs } from './ModelOutputs.js';

export interface TeacherOutputs extends ModelOutputs {
  /** The teacher's name, as in the experiment. */
  readonly name: string;
}
