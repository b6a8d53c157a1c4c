import type * as tfl from '@tensorflow/tfjs-layers';
import { fileSystemHandler } from './fileSystemHandler.js';

/** Saves a model to a directory as model.json + weights.bin (the tfjs-node layout). */
export async function saveModel(model: tfl.LayersModel, location: string): Promise<void> {
  await model.save(fileSystemHandler(location));
}
