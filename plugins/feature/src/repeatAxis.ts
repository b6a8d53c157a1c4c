import * as tf from '@tensorflow/tfjs-core';

/**
 * Repeats every index of one axis of an NHWC map (1: rows, 2: columns) `times` times in place (rows a, b
 * twice: a, a, b, b): nearest-neighbour upsampling by a whole factor. The map is seen as
 * [outer, 1, inner] around the axis and multiplied by ones of shape [1, times, 1], so the values are copies
 * and the gradient is the incoming gradient summed over the copies of each index, in index order — a
 * reduction over one middle axis, with no transpose and no gather.
 *
 * @param x [B, H, W, C]
 * @returns [B, H·times, W, C] or [B, H, W·times, C]
 */
export function repeatAxis(x: tf.Tensor4D, axis: 1 | 2, times: number): tf.Tensor4D {
  const shape = x.shape;
  const outer = shape.slice(0, axis + 1).reduce((product, size) => product * size, 1);
  const inner = shape.slice(axis + 1).reduce((product, size) => product * size, 1);
  const outShape = [...shape] as [number, number, number, number];
  outShape[axis] *= times;
  return tf.tidy(() => tf.reshape(tf.mul(tf.reshape(x, [outer, 1, inner]), tf.ones([1, times, 1])), outShape));
}
