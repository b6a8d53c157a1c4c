import { DistilleryError } from '@distillery/core';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Throws a one-line {@link DistilleryError} unless student and teacher features are float tensors of rank ≥ 2 over
 * the same batch of at least one example. Feature sizes may differ: relations compare examples with examples.
 */
export function validateRelationPair(lossName: string, student: tf.Tensor, teacher: tf.Tensor): void {
  const describe = () => `student [${student.shape.join(', ')}] and teacher [${teacher.shape.join(', ')}]`;
  if (student.rank < 2 || teacher.rank < 2) {
    throw new DistilleryError(`${lossName}: expected features of shape [B, …] (rank ≥ 2), got ${describe()}`);
  }
  if (student.shape[0] !== teacher.shape[0]) {
    throw new DistilleryError(`${lossName}: student and teacher features cover different batches, ${describe()}`);
  }
  if ((student.shape[0] as number) < 1 || student.size === 0 || teacher.size === 0) {
    throw new DistilleryError(`${lossName}: expected at least one example with at least one value, got ${describe()}`);
  }
  if (student.dtype !== 'float32' || teacher.dtype !== 'float32') {
    throw new DistilleryError(`${lossName}: expected float32 features, got ${student.dtype} and ${teacher.dtype}`);
  }
}
