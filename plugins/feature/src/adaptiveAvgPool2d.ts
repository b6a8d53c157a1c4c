import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { adaptiveAvgPool2dByBinWeights } from './adaptiveAvgPool2dByBinWeights.js';

/**
 * Adaptive average pooling of an NHWC map to `outputSize` = [h, w], as PyTorch's `F.adaptive_avg_pool2d`:
 * output cell (i, j) is the mean of input rows floor(i·H/h) … ceil((i+1)·H/h) − 1 and columns
 * floor(j·W/w) … ceil((j+1)·W/w) − 1. Where H is not a multiple of h the bins overlap and differ in size
 * (5 → 3 rows: rows 0–1, 1–3, 3–4), and an output larger than the input repeats rows (2 → 4: 0, 0, 1, 1).
 *
 * Where H and W are multiples of h and w (32 → 4, 8 → 1: the common case) the bins are the H/h × W/w tiles
 * of the map, which is `tf.avgPool` with that window and stride and no padding: one pass over the map each
 * way, in the native backend's AvgPool and AvgPoolGrad kernels. Other sizes take two products with bin-weight
 * matrices ({@link adaptiveAvgPool2dByBinWeights}). The two agree to float32 rounding (the pool sums and
 * divides, the products add values weighted by 1/n).
 *
 * @param x [B, H, W, C]
 * @returns [B, h, w, C]
 */
export function adaptiveAvgPool2d(x: tf.Tensor4D, outputSize: readonly [number, number]): tf.Tensor4D {
  const [outHeight, outWidth] = outputSize;
  if (![outHeight, outWidth].every((size) => Number.isInteger(size) && size > 0)) {
    throw new DistilleryError(`adaptiveAvgPool2d: the output size must be two positive integers, got [${outputSize.join(', ')}]`);
  }
  const [, height, width] = x.shape;
  if (height % outHeight === 0 && width % outWidth === 0) {
    const window: [number, number] = [height / outHeight, width / outWidth];
    return tf.avgPool(x, window, window, 'valid');
  }
  return adaptiveAvgPool2dByBinWeights(x, outputSize);
}
