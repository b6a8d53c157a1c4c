import { type DistillationContext, DistilleryError } from '@distillery/core';
import type * as tf from '@tensorflow/tfjs-core';

/** The logits of the named teacher for this batch. */
export function teacherLogits(context: DistillationContext, teacherName: string, strategyKey: string): tf.Tensor2D {
  const teacher = context.teachers.find(({ name }) => name === teacherName);
  if (teacher === undefined) {
    throw new DistilleryError(`${strategyKey}: teacher '${teacherName}' gave no outputs for this batch`);
  }
  return teacher.logits;
}
