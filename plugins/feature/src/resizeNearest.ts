import * as tf from '@tensorflow/tfjs-core';

/**
 * Nearest-neighbour resize of an NHWC map to `size` = [h, w], as PyTorch's
 * `F.interpolate(x, (h, w), mode='nearest')`: output row i copies input row floor(i·H/h), and columns alike
 * (1 → 4: 0, 0, 0, 0; 2 → 4: 0, 0, 1, 1; 3 → 5: 0, 0, 1, 1, 2). tfjs's `resizeNearestNeighbor` without
 * half-pixel centres picks the same rows; this one is two gathers, whose gradient (a scatter-add) every
 * backend has. The identity when the size already matches.
 *
 * @param x [B, H, W, C]
 * @returns [B, h, w, C]
 */
export function resizeNearest(x: tf.Tensor4D, size: readonly [number, number]): tf.Tensor4D {
  const [, height, width] = x.shape;
  const [outHeight, outWidth] = size;
  if (height === outHeight && width === outWidth) return x;
  return tf.tidy(() => {
    const rows = tf.gather(x, sourceIndices(height, outHeight), 1);
    return tf.gather(rows, sourceIndices(width, outWidth), 2);
  });
}

function sourceIndices(inSize: number, outSize: number): tf.Tensor1D {
  return tf.tensor1d(
    Array.from({ length: outSize }, (_, index) => Math.floor((index * inSize) / outSize)),
    'int32',
  );
}
