import { DistilleryError } from '@distillery/core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileSystemHandler } from './fileSystemHandler.js';
import { modelFilePaths } from './modelFilePaths.js';

/**
 * Loads a tfjs layers model from a directory (or its model.json). Every problem with the files is a
 * one-line DistilleryError naming the file.
 */
export async function loadModel(location: string): Promise<tfl.LayersModel> {
  try {
    return await tfl.loadLayersModel(fileSystemHandler(location));
  } catch (error) {
    if (error instanceof DistilleryError) throw error;
    const { modelJson } = modelFilePaths(location);
    const reason = (error as Error).message.split('\n')[0];
    throw new DistilleryError(`model file ${modelJson} does not describe a model tfjs can build (${reason})`);
  }
}
