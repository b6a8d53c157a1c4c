import * as tf from '@tensorflow/tfjs-core';

/** The part of tfjs's engine state that holds the gradient tape (tfjs-core 4.x, engine.ts). */
interface TapeState {
  gradientDepth: number;
  activeTape: { saved?: tf.Tensor[] }[] | null;
}

/**
 * tfjs keeps the tensors that gradients need (each tape node's `saved`) until its backward pass
 * completes, and frees them only then: a backward pass that throws (an op without a gradient) leaves
 * them alive. Called after such a throw, outside any gradient computation, this frees them as tfjs
 * would have. Nested (higher-order) tapes are left alone: their owner still needs them.
 */
export function releaseFailedTape(): void {
  const state = tf.engine().state as unknown as TapeState;
  if (state.gradientDepth !== 0 || state.activeTape === null || state.activeTape === undefined) return;
  for (const node of state.activeTape) for (const tensor of node.saved ?? []) tensor.dispose();
  state.activeTape = null;
}
