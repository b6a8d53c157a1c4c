import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerFactory } from './LayerFactory.js';

type Tensor = tfl.SymbolicTensor;

/**
 * Channel shuffle with two groups, NHWC: [H, W, C] → [H, W, 2, C/2] → [H, W, C/2, 2] → [H, W, C], so output
 * channel 2i + g is input channel g·C/2 + i (ShuffleNet's view-transpose-flatten).
 */
export function channelShuffle(layers: LayerFactory, x: Tensor, local: string): Tensor {
  const [height, width, channels] = x.shape.slice(1) as number[];
  const grouped = tfl.layers
    .reshape({
      name: layers.name(`${local}_group`),
      targetShape: [height as number, width as number, 2, (channels as number) / 2],
    })
    .apply(x) as Tensor;
  const swapped = tfl.layers.permute({ name: layers.name(`${local}_transpose`), dims: [1, 2, 4, 3] }).apply(grouped) as Tensor;
  return tfl.layers
    .reshape({ name: layers.name(local), targetShape: [height as number, width as number, channels as number] })
    .apply(swapped) as Tensor;
}
