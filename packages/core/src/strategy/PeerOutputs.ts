import type { ModelOutputs } from './ModelOutputs.js';

/** A peer's outputs for the batch, computed in training mode on the gradient tape, as the student's are. */
export interface PeerOutputs extends ModelOutputs {
  /** The peer's name, as in the experiment. */
  readonly name: string;
}
