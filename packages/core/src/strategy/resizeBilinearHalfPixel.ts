import * as tf from '@tensorflow/tfjs-core';
import { DistilleryError } from '../errors/DistilleryError.js';

/**
 * `tf.image.resizeBilinear(images, size, false, true)` — bilinear interpolation with half-pixel centres,
 * the sampling of PyTorch's `F.interpolate(mode='bilinear', align_corners=False)` — with a correct gradient.
 * The forward pass is TensorFlow.js's kernel; the gradient is its exact adjoint, because tfjs 4.22's own
 * ResizeBilinear gradient ignores `halfPixelCenters` and fails on maps that are not square.
 *
 * @param images NHWC [B, H, W, C]
 * @param size [newHeight, newWidth]
 */
export function resizeBilinearHalfPixel(images: tf.Tensor4D, size: readonly [number, number]): tf.Tensor4D {
  const [newHeight, newWidth] = size;
  if (!Number.isInteger(newHeight) || !Number.isInteger(newWidth) || newHeight < 1 || newWidth < 1) {
    throw new DistilleryError(`resizeBilinearHalfPixel: expected a size of two positive integers, got [${size.join(', ')}]`);
  }
  const [, height, width] = images.shape;
  const resize = tf.customGrad((x) => {
    return {
      value: tf.image.resizeBilinear(x as tf.Tensor4D, [newHeight, newWidth], false, true),
      gradFunc: (dy: tf.Tensor) =>
        tf.tidy(() =>
          applySeparable(
            dy as tf.Tensor4D,
            tf.transpose(interpolationMatrix(height, newHeight)),
            tf.transpose(interpolationMatrix(width, newWidth)),
          ),
        ),
    };
  });
  return resize(images) as tf.Tensor4D;
}

/**
 * Row i holds the weights output i takes from each input position, computed as the tfjs kernel does:
 * source = (i + ½)·in/out − ½, blended between floor and ceil (clamped to the map) by its fraction.
 */
function interpolationMatrix(inputSize: number, outputSize: number): tf.Tensor2D {
  const weights = new Float32Array(outputSize * inputSize);
  const scale = inputSize / outputSize;
  for (let i = 0; i < outputSize; i++) {
    const source = scale * (i + 0.5) - 0.5;
    const lower = Math.max(0, Math.floor(source));
    const upper = Math.min(inputSize - 1, Math.ceil(source));
    const fraction = source - lower;
    weights[i * inputSize + lower] = (weights[i * inputSize + lower] as number) + (1 - fraction);
    weights[i * inputSize + upper] = (weights[i * inputSize + upper] as number) + fraction;
  }
  return tf.tensor2d(weights, [outputSize, inputSize]);
}

/** y[b, i, j, c] = Σ_k Σ_l rows[i, k] · columns[j, l] · x[b, k, l, c]. */
function applySeparable(x: tf.Tensor4D, rows: tf.Tensor2D, columns: tf.Tensor2D): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const [outHeight] = rows.shape;
  const [outWidth] = columns.shape;
  // Bring the axis being resampled to the front, resample it with one matrix product, and put it back.
  const heightFirst = tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [height, batch * width * channels]);
  const resampledHeight = tf.reshape(tf.matMul(rows, heightFirst), [outHeight, batch, width, channels]);
  const widthFirst = tf.reshape(tf.transpose(resampledHeight, [2, 1, 0, 3]), [width, batch * outHeight * channels]);
  const resampledWidth = tf.reshape(tf.matMul(columns, widthFirst), [outWidth, batch, outHeight, channels]);
  return tf.transpose(resampledWidth, [1, 2, 0, 3]) as tf.Tensor4D;
}
