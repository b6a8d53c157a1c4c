import type { Distiller } from '@distillery/core';
import { saveModel } from './saveModel.js';
import { saveStrategyWeights } from './saveStrategyWeights.js';

/** Saves a distilled student (model.json + weights.bin) together with its strategies' variables. */
export async function saveStudent(distiller: Distiller, directory: string): Promise<void> {
  await saveModel(distiller.student.model, directory);
  await saveStrategyWeights(distiller, directory);
}
