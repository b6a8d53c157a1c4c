import { DistilleryError, resizeBilinearHalfPixel } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { describeResizeProblem } from './describeResizeProblem.js';
import type { ResizeMethod } from './ResizeMethod.js';

/**
 * Brings a student and a teacher feature map to one spatial size by reducing the larger one to the
 * smaller one's H×W, so their attention maps can be compared (the AT reference code only pairs layers of
 * equal size). `avgpool` averages non-overlapping (H/h)×(W/w) windows and refuses sizes that are not
 * integer multiples; `bilinear` interpolates with half-pixel centres (see {@link resizeBilinearHalfPixel}).
 * Channels are left alone. Returns two new tensors, which the caller owns.
 *
 * @param studentFeature NHWC [B, H_s, W_s, C_s]
 * @param teacherFeature NHWC [B, H_t, W_t, C_t]
 */
export function matchSpatialSize(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  method: ResizeMethod = 'avgpool',
): [tf.Tensor4D, tf.Tensor4D] {
  if (studentFeature.rank !== 4 || teacherFeature.rank !== 4) {
    throw new DistilleryError(
      `matchSpatialSize: expected NHWC feature maps [B, H, W, C], got student feature [${studentFeature.shape.join(', ')}] ` +
        `and teacher feature [${teacherFeature.shape.join(', ')}]`,
    );
  }
  const student = studentFeature as tf.Tensor4D;
  const teacher = teacherFeature as tf.Tensor4D;
  const studentSize = [student.shape[1], student.shape[2]] as const;
  const teacherSize = [teacher.shape[1], teacher.shape[2]] as const;
  const problem = describeResizeProblem(studentSize, teacherSize, method);
  if (problem !== undefined) throw new DistilleryError(`matchSpatialSize: ${problem}`);
  return tf.tidy(() => {
    if (studentSize[0] === teacherSize[0] && studentSize[1] === teacherSize[1]) return [tf.clone(student), tf.clone(teacher)];
    const studentIsLarger = studentSize[0] >= teacherSize[0] && studentSize[1] >= teacherSize[1];
    return studentIsLarger
      ? [reduce(student, teacherSize, method), tf.clone(teacher)]
      : [tf.clone(student), reduce(teacher, studentSize, method)];
  });
}

function reduce(feature: tf.Tensor4D, size: readonly [number, number], method: ResizeMethod): tf.Tensor4D {
  if (method === 'bilinear') return resizeBilinearHalfPixel(feature, size);
  const window: [number, number] = [feature.shape[1] / size[0], feature.shape[2] / size[1]];
  return tf.avgPool(feature, window, window, 'valid');
}
