import { createDistiller, type Dataset, type TrainingOptionsInput } from '@distillery/core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { silentLogger } from './silentLogger.js';

/**
 * Trains `model` in place on the hard labels alone (`task.ce`), on the cpu backend: how a test makes
 * the teacher of the distillation that follows.
 */
export async function trainOnLabels(model: tfl.LayersModel, data: Dataset, training: TrainingOptionsInput = {}): Promise<void> {
  const distiller = createDistiller({
    student: { name: model.name.replace(/[^\w.-]/g, '_'), model },
    strategies: [{ key: 'task.ce' }],
    training: { batchSize: 32, seed: 1, optimizer: { name: 'adam', learningRate: 0.01 }, ...training },
    backend: 'cpu',
    logger: silentLogger,
  });
  await distiller.fit(data);
  distiller.dispose();
}
