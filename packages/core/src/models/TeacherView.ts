import type { Tensor } from '@tensorflow/tfjs-core';
import type { ModelOutputs } from '../strategy/ModelOutputs.js';
import type { SymbolicShape } from '../strategy/TapShapes.js';

/**
 * A teacher as the kernel runs it, whatever it is made of (a {@link ModelView} of a LayersModel, a
 * {@link ForwardModelView} of a model only run forward): its class count, its tapped outputs' shapes, and one
 * inference pass.
 */
export interface TeacherView {
  /** How errors name it: `teacher 'wide'`. */
  readonly role: string;
  readonly numClasses: number;
  /** Static shapes of the tapped outputs, batch dimension `null`. */
  tapShapes(): Record<string, SymbolicShape>;
  /** Logits and tapped features on `inputs`, in inference mode: fresh tensors the caller disposes. */
  predict(inputs: Tensor): Promise<ModelOutputs>;
}
