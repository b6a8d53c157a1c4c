import type * as tfl from '@tensorflow/tfjs-layers';
import type { RandomDrawsLayer } from './RandomDrawsLayer.js';

/** The model's layers that count their random draws (Distillery's seeded dropout), by name. */
export function randomDrawsLayers(model: tfl.LayersModel): [string, RandomDrawsLayer][] {
  return model.layers.flatMap((layer) =>
    typeof (layer as unknown as Partial<RandomDrawsLayer>).randomDraws === 'number'
      ? [[layer.name, layer as unknown as RandomDrawsLayer] as [string, RandomDrawsLayer]]
      : [],
  );
}
