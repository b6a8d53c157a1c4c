import { type DistillationContext, DistilleryError } from '@distillery/core';

/**
 * The batch's places in the training set, which CRD's memories are addressed by, checked: present, in [0, N)
 * and distinct (each memory row is written once per step). A dataset that breaks this is the user's to fix, so
 * each problem is one {@link DistilleryError} line.
 */
export function batchIndicesOf(context: DistillationContext, size: number, key: string): Int32Array {
  const { indices } = context;
  if (indices === undefined) {
    throw new DistilleryError(
      `${key}: the dataset gives no example indices (Batch.indices), and CRD keeps one memory row per training example; use a dataset whose batches carry them (TensorDataset and the in-tree datasets do)`,
    );
  }
  const seen = new Set<number>();
  for (const index of indices) {
    if (!(index >= 0 && index < size)) {
      throw new DistilleryError(`${key}: the batch holds example index ${index}, outside the training set's [0, ${size})`);
    }
    if (seen.has(index))
      throw new DistilleryError(`${key}: the batch holds example index ${index} twice; expected distinct indices`);
    seen.add(index);
  }
  return indices;
}
