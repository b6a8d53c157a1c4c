import { DistilleryError, TensorDataset } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Splits a dataset in order: the first `firstSize` examples, then the rest. Consumes `dataset`
 * (disposes it); the caller owns and disposes both parts.
 */
export function splitDataset(dataset: TensorDataset, firstSize: number): [TensorDataset, TensorDataset] {
  if (!Number.isInteger(firstSize) || firstSize < 1 || firstSize >= dataset.size) {
    throw new DistilleryError(`splitDataset: expected 0 < firstSize < ${dataset.size}, got ${firstSize}`);
  }
  const [batch] = dataset.batches({ batchSize: dataset.size, shuffle: false, seed: 0, epoch: 0 });
  if (batch === undefined) throw new DistilleryError('splitDataset: the dataset is empty');
  const parts: [TensorDataset, TensorDataset] = [
    new TensorDataset(tf.slice(batch.inputs, 0, firstSize), tf.slice(batch.labels, 0, firstSize)),
    new TensorDataset(tf.slice(batch.inputs, firstSize), tf.slice(batch.labels, firstSize)),
  ];
  tf.dispose([batch.inputs, batch.labels]);
  dataset.dispose();
  return parts;
}
