import type * as tfl from '@tensorflow/tfjs-layers';

/** A copy of every weight of a model, to compare before and after training. */
export function weightsOf(model: tfl.LayersModel): Float32Array[] {
  return model.getWeights().map((weight) => Float32Array.from(weight.dataSync()));
}
