import type * as tfl from '@tensorflow/tfjs-layers';

/** A model's layers with their output shapes, for errors that help choose a tap: `dense_1 [B,32], …`. */
export function describeLayers(model: tfl.LayersModel): string {
  return model.layers
    .map((layer) => {
      let shape: string;
      try {
        shape = JSON.stringify(layer.outputShape).replaceAll('null', 'B');
      } catch {
        shape = '(shared)';
      }
      return `${layer.name} ${shape}`;
    })
    .join(', ');
}
