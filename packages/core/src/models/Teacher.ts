import type { TeacherModel } from './TeacherModel.js';

/** DI token for the frozen, trained models the student learns from (multi-bound, one per teacher). */
export const Teacher = Symbol.for('@distillery/core/Teacher');

export interface Teacher {
  /** Unique within an experiment: strategies, taps and reports refer to a teacher by this name. */
  readonly name: string;
  /**
   * Outputs logits [B, C]: a tfjs LayersModel (a softmax output is accepted and turned back into log-probabilities), or
   * a {@link ForwardModel} such as an ONNX file's.
   */
  readonly model: TeacherModel;
}
