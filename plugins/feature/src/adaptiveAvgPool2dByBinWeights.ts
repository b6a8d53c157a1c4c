import * as tf from '@tensorflow/tfjs-core';

/**
 * {@link adaptiveAvgPool2d} for any sizes, overlapping and unequal bins included: pooling is linear, so it is two
 * matrix products with fixed bin-weight matrices, which every backend runs and whose gradient is the products'
 * gradient. Rows first: the map seen as [B, H, W·C] is multiplied from the left by the [h, H] row weights (one
 * matrix for the whole batch, broadcast), then the result seen as [B·h, W, C] by the [w, W] column weights. Each
 * operand keeps its NHWC layout, so no transpose is needed either way, where a transpose of whole maps costs
 * more than the products on backends without a fast Transpose kernel.
 *
 * @param x [B, H, W, C]
 * @param outputSize [h, w], positive integers (not checked here)
 * @returns [B, h, w, C]
 */
export function adaptiveAvgPool2dByBinWeights(x: tf.Tensor4D, outputSize: readonly [number, number]): tf.Tensor4D {
  const [outHeight, outWidth] = outputSize;
  const [batch, height, width, channels] = x.shape;
  return tf.tidy((): tf.Tensor4D => {
    const rowWeights = tf.tensor3d(binWeights(height, outHeight), [1, outHeight, height]);
    const columnWeights = tf.tensor3d(binWeights(width, outWidth), [1, outWidth, width]);
    // [h, H] · [B, H, W·C] → [B, h, W·C], then [w, W] · [B·h, W, C] → [B·h, w, C].
    const byRows = tf.matMul(rowWeights, tf.reshape(x, [batch, height, width * channels]));
    const byColumns = tf.matMul(columnWeights, tf.reshape(byRows, [batch * outHeight, width, channels]));
    return tf.reshape(byColumns, [batch, outHeight, outWidth, channels]);
  });
}

/** The [outSize, inSize] matrix whose row i averages PyTorch's adaptive bin i. */
function binWeights(inSize: number, outSize: number): Float32Array {
  const weights = new Float32Array(outSize * inSize);
  for (let bin = 0; bin < outSize; bin++) {
    const start = Math.floor((bin * inSize) / outSize);
    const end = Math.ceil(((bin + 1) * inSize) / outSize);
    for (let index = start; index < end; index++) weights[bin * inSize + index] = 1 / (end - start);
  }
  return weights;
}
