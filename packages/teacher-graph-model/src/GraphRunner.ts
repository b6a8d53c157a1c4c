import * as tf from '@tensorflow/tfjs-core';
import type { LoadedGraphModel } from './LoadedGraphModel.js';

/**
 * Runs a GraphModel for chosen nodes and hands back tensors the caller owns. It uses `execute`, and `executeAsync`
 * from the first time tfjs says the graph needs it (control flow, dynamic shapes), since tfjs can tell only at run time
 * and warns when `executeAsync` was not needed.
 */
export class GraphRunner {
  private asynchronous = false;
  private readonly weightIds: ReadonlySet<number>;

  constructor(private readonly model: LoadedGraphModel) {
    this.weightIds = new Set(Object.values(model.weights).flatMap((tensors) => tensors.map((tensor) => tensor.id)));
  }

  /**
   * The outputs of `nodes` for `inputs`, one tensor per name. tfjs returns the input itself for the input node, a
   * weight itself for a Const node and one tensor twice for a name given twice; those come back as clones, so that
   * disposing every output frees nothing the model or the caller still holds.
   */
  async run(inputs: tf.Tensor, nodes: readonly string[]): Promise<tf.Tensor[]> {
    const names = [...nodes];
    if (!this.asynchronous) {
      try {
        return this.owned(inputs, this.model.execute(inputs, names));
      } catch (error) {
        if (!(error instanceof Error) || !error.message.includes('executeAsync')) throw error;
        this.asynchronous = true;
      }
    }
    return this.owned(inputs, await this.model.executeAsync(inputs, names));
  }

  private owned(inputs: tf.Tensor, result: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const held = new Set([inputs.id, ...this.weightIds]);
    return (Array.isArray(result) ? result : [result]).map((tensor) => {
      if (held.has(tensor.id)) return tf.clone(tensor);
      held.add(tensor.id);
      return tensor;
    });
  }
}
