import * as tf from '@tensorflow/tfjs-core';

/** w_bk = 1/K for a batch of `batchSize` examples and `teacherCount` teachers: [B, K]. */
export function uniformWeights(batchSize: number, teacherCount: number): tf.Tensor2D {
  return tf.fill([batchSize, teacherCount], 1 / teacherCount) as tf.Tensor2D;
}
