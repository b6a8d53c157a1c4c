import { type DistillationContext, findTeacherOutputs } from '@distillery/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { RelationPair } from './RelationPair.js';

/**
 * The student and teacher tensors a relation strategy compares on this batch, one entry per pair in order, or
 * the two models' logits when there are no pairs. The tensors are the kernel's: read them, never dispose them.
 */
export function pairedFeatures(
  batch: DistillationContext,
  pairs: readonly RelationPair[] | undefined,
  teacher: string,
  key: string,
): { student: tf.Tensor; teacher: tf.Tensor }[] {
  const outputs = findTeacherOutputs(batch, teacher, key);
  if (pairs === undefined) return [{ student: batch.student.logits, teacher: outputs.logits }];
  return pairs.map((pair) => {
    const student = batch.student.features[pair.student];
    const teacherFeature = outputs.features[pair.teacher];
    if (student === undefined || teacherFeature === undefined) {
      throw new Error(`${key}: the kernel did not tap '${pair.student}' or '${pair.teacher}'`);
    }
    return { student, teacher: teacherFeature };
  });
}
