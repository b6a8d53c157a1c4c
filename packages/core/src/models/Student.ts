import type { LayersModel } from '@tensorflow/tfjs-layers';

/** DI token for the model being trained. */
export const Student = Symbol.for('@distillery/core/Student');

export interface Student {
  readonly name: string;
  /** Outputs logits [B, C]; trained in training mode (dropout and batch norm active). */
  readonly model: LayersModel;
  /**
   * `false`: the student stays as it is, run in inference mode, and only the strategies' variables train, for a stage
   * that fits a strategy's module to a fixed network (factor transfer's paraphraser on the teacher). Default true.
   */
  readonly trainable?: boolean;
}
