import * as tf from '@tensorflow/tfjs-core';
import type { TeacherOutputs } from '../strategy/TeacherOutputs.js';

/** Frees every tensor of the teachers' outputs on a batch: logits and tapped features. */
export function disposeTeacherOutputs(outputs: readonly TeacherOutputs[]): void {
  tf.dispose(outputs.flatMap((teacher) => [teacher.logits, ...Object.values(teacher.features)]));
}
