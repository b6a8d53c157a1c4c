import type { ForwardModel } from './ForwardModel.js';

/** Whether a teacher's model is a {@link ForwardModel} rather than a tfjs LayersModel. */
export function isForwardModel(model: unknown): model is ForwardModel {
  return typeof model === 'object' && model !== null && (model as { forwardOnly?: unknown }).forwardOnly === true;
}
