import { DistilleryError } from '@distillery/core';
import type * as tf from '@tensorflow/tfjs-core';

/** Throws a one-line {@link DistilleryError} unless both logit tensors are [B, C] with the same shape. */
export function validateLogitPair(lossName: string, studentLogits: tf.Tensor, teacherLogits: tf.Tensor): void {
  if (studentLogits.rank !== 2 || teacherLogits.rank !== 2) {
    throw new DistilleryError(
      `${lossName}: expected logits of shape [B, C], got student [${studentLogits.shape.join(', ')}] and teacher [${teacherLogits.shape.join(', ')}]`,
    );
  }
  if (studentLogits.shape[0] !== teacherLogits.shape[0] || studentLogits.shape[1] !== teacherLogits.shape[1]) {
    throw new DistilleryError(
      `${lossName}: student logits [${studentLogits.shape.join(', ')}] and teacher logits [${teacherLogits.shape.join(', ')}] differ in shape`,
    );
  }
}
