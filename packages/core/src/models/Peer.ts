import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * DI token for a peer: a model trained together with the student in online distillation (deep mutual learning),
 * from its own initialisation, with its own optimizer state, checkpointed, evaluated and saved like the student.
 */
export const Peer = Symbol.for('@distillery/core/Peer');

export interface Peer {
  readonly name: string;
  /** Outputs logits [B, C] of the student's classes; trained in training mode. */
  readonly model: LayersModel;
}
