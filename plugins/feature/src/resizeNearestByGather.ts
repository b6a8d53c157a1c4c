import * as tf from '@tensorflow/tfjs-core';

/**
 * Nearest-neighbour resize of one axis of an NHWC map (1: rows, 2: columns) to `outSize`, as PyTorch's
 * `mode='nearest'`: output index i copies input index floor(i·inSize/outSize), for any sizes. A gather, whose
 * gradient (a scatter-add) every backend has, though on the cpu backend that gradient transposes and sums
 * once per input index.
 *
 * @param x [B, H, W, C]
 */
export function resizeNearestByGather(x: tf.Tensor4D, axis: 1 | 2, outSize: number): tf.Tensor4D {
  const inSize = x.shape[axis];
  return tf.tidy(() => {
    const sources = tf.tensor1d(
      Array.from({ length: outSize }, (_, index) => Math.floor((index * inSize) / outSize)),
      'int32',
    );
    return tf.gather(x, sources, axis);
  });
}
