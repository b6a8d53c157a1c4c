import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Adaptive average pooling of an NHWC map to `outputSize` = [h, w], as PyTorch's `F.adaptive_avg_pool2d`:
 * output cell (i, j) is the mean of input rows floor(i·H/h) … ceil((i+1)·H/h) − 1 and columns
 * floor(j·W/w) … ceil((j+1)·W/w) − 1. Where H is not a multiple of h the bins overlap and differ in size
 * (5 → 3 rows: rows 0–1, 1–3, 3–4), and an output larger than the input repeats rows (2 → 4: 0, 0, 1, 1).
 *
 * Pooling is linear, so it is computed as two matrix products with fixed bin-weight matrices (rows, then
 * columns): every backend runs it, and its gradient is the products' gradient.
 *
 * @param x [B, H, W, C]
 * @returns [B, h, w, C]
 */
export function adaptiveAvgPool2d(x: tf.Tensor4D, outputSize: readonly [number, number]): tf.Tensor4D {
  const [outHeight, outWidth] = outputSize;
  if (![outHeight, outWidth].every((size) => Number.isInteger(size) && size > 0)) {
    throw new DistilleryError(`adaptiveAvgPool2d: the output size must be two positive integers, got [${outputSize.join(', ')}]`);
  }
  const [batch, height, width, channels] = x.shape;
  return tf.tidy((): tf.Tensor4D => {
    const rowWeights = tf.tensor2d(binWeights(height, outHeight), [height, outHeight]);
    const columnWeights = tf.tensor2d(binWeights(width, outWidth), [width, outWidth]);
    // Rows: [B, W, C, H] · [H, h] → [B, W, C, h].
    const rowsLast = tf.reshape(tf.transpose(x, [0, 2, 3, 1]), [batch * width * channels, height]);
    const byRows = tf.reshape(tf.matMul(rowsLast, rowWeights), [batch, width, channels, outHeight]);
    // Columns: [B, h, C, W] · [W, w] → [B, h, C, w], then back to [B, h, w, C].
    const columnsLast = tf.reshape(tf.transpose(byRows, [0, 3, 2, 1]), [batch * outHeight * channels, width]);
    const byColumns = tf.reshape(tf.matMul(columnsLast, columnWeights), [batch, outHeight, channels, outWidth]);
    return tf.transpose(byColumns, [0, 1, 3, 2]) as tf.Tensor4D;
  });
}

/** The [inSize, outSize] matrix whose column i averages PyTorch's adaptive bin i. */
function binWeights(inSize: number, outSize: number): Float32Array {
  const weights = new Float32Array(inSize * outSize);
  for (let bin = 0; bin < outSize; bin++) {
    const start = Math.floor((bin * inSize) / outSize);
    const end = Math.ceil(((bin + 1) * inSize) / outSize);
    for (let index = start; index < end; index++) weights[index * outSize + bin] = 1 / (end - start);
  }
  return weights;
}
