import type { LayersModel } from '@tensorflow/tfjs-layers';

/** DI token for the model being trained. */
export const Student = Symbol.for('@distillery/core/Student');

export interface Student {
  readonly name: string;
  /** Outputs logits [B, C]; trained in training mode (dropout and batch norm active). */
  readonly model: LayersModel;
}
