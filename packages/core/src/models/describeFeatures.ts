import type { ForwardModel } from './ForwardModel.js';

/** A forward model's tappable outputs with their shapes, for errors that help choose a tap: `stage1 [B,14,14,16], …`. */
export function describeFeatures(model: ForwardModel): string {
  const entries = Object.entries(model.featureShapes);
  if (entries.length === 0) return 'none besides its logits';
  return entries.map(([name, shape]) => `${name} ${JSON.stringify(shape).replaceAll('null', 'B')}`).join(', ');
}
