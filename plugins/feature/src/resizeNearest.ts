import * as tf from '@tensorflow/tfjs-core';
import { repeatAxis } from './repeatAxis.js';
import { resizeNearestByGather } from './resizeNearestByGather.js';

/**
 * Nearest-neighbour resize of an NHWC map to `size` = [h, w], as PyTorch's
 * `F.interpolate(x, (h, w), mode='nearest')`: output row i copies input row floor(i·H/h), and columns alike
 * (1 → 4: 0, 0, 0, 0; 2 → 4: 0, 0, 1, 1; 3 → 5: 0, 0, 1, 1, 2). tfjs's `resizeNearestNeighbor` without
 * half-pixel centres picks the same rows. Rows, then columns: an axis that grows by a whole factor (8 → 16)
 * repeats each index ({@link repeatAxis}: a broadcast, whose gradient is a plain sum), any other size is a
 * gather ({@link resizeNearestByGather}, whose gradient is a scatter-add that is slow on the cpu backend);
 * both give the same values and the same gradients, bit for bit. The identity when the size already matches.
 *
 * @param x [B, H, W, C]
 * @returns [B, h, w, C]
 */
export function resizeNearest(x: tf.Tensor4D, size: readonly [number, number]): tf.Tensor4D {
  const [, height, width] = x.shape;
  const [outHeight, outWidth] = size;
  if (height === outHeight && width === outWidth) return x;
  return tf.tidy(() => resizeAxis(resizeAxis(x, 1, outHeight), 2, outWidth));
}

function resizeAxis(x: tf.Tensor4D, axis: 1 | 2, outSize: number): tf.Tensor4D {
  const inSize = x.shape[axis];
  if (outSize === inSize) return x;
  if (outSize % inSize === 0) return repeatAxis(x, axis, outSize / inSize);
  return resizeNearestByGather(x, axis, outSize);
}
