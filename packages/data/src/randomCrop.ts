import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Augmentation } from './Augmentation.js';
import { checkImageExamples } from './checkImageExamples.js';
import { imageBatchShape } from './imageBatchShape.js';
import type { RandomSource } from './RandomSource.js';

export interface RandomCropOptions {
  /** Zeros added on every side before cropping; the CIFAR recipes (He et al. 2016, §4.2) use 4. */
  readonly padding: number;
}

/**
 * Pads each image of a [B, H, W, C] batch with `padding` zeros on every side and takes an H × W crop
 * at its own offset (ox, oy), each drawn uniformly from {0, …, 2·padding}: the CIFAR augmentation of
 * He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition" (2016), §4.2, which every CIFAR
 * distillation benchmark trains with.
 *
 *   out[b, y, x, c] = in[b, y + oy_b − p, x + ox_b − p, c]   (0 where that falls outside the image)
 *
 * Offset p leaves the image where it was. For image b the source is drawn twice, ox_b first:
 * o = floor(random() · (2·padding + 1)). The values are raw pixels, so the padding is black, as
 * torchvision's RandomCrop pads a PIL image before it is normalised.
 *
 * On tensors, one tf.pad and one tf.gather do the whole batch; `applyToValues` copies row segments.
 */
export function randomCrop(options: RandomCropOptions): Augmentation {
  const { padding } = options;
  if (!Number.isInteger(padding) || padding < 0) {
    throw new DistilleryError(`randomCrop: padding must be a non-negative integer, got ${padding}`);
  }
  const name = 'randomCrop';
  const offset = (random: RandomSource) => Math.floor(random() * (2 * padding + 1));
  return {
    description: `randomCrop(${padding})`,
    checkExampleShape: (exampleShape) => checkImageExamples(name, exampleShape),
    apply(inputs, random) {
      const [batch, height, width, channels] = imageBatchShape(name, inputs.shape);
      const paddedWidth = width + 2 * padding;
      const paddedImage = (height + 2 * padding) * paddedWidth;
      const sources = new Int32Array(batch * height * width);
      let k = 0;
      for (let b = 0; b < batch; b++) {
        const ox = offset(random);
        const oy = offset(random);
        for (let y = 0; y < height; y++) {
          const row = b * paddedImage + (y + oy) * paddedWidth + ox;
          for (let x = 0; x < width; x++) sources[k++] = row + x;
        }
      }
      const padded = tf.pad(inputs, [
        [0, 0],
        [padding, padding],
        [padding, padding],
        [0, 0],
      ]);
      const cropped = tf.gather(tf.reshape(padded, [-1, channels]), tf.tensor1d(sources, 'int32'));
      return tf.reshape(cropped, [batch, height, width, channels]);
    },
    applyToValues(values, shape, random) {
      const [batch, height, width, channels] = imageBatchShape(name, shape);
      const rowLength = width * channels;
      const cropped = new Float32Array(values.length);
      for (let b = 0; b < batch; b++) {
        // Source column of output column x is x + dx, source row of y is y + dy.
        const dx = offset(random) - padding;
        const dy = offset(random) - padding;
        const firstColumn = Math.max(0, -dx);
        const columns = Math.min(width, width - dx) - firstColumn;
        if (columns <= 0) continue;
        for (let y = Math.max(0, -dy); y < Math.min(height, height - dy); y++) {
          const target = (b * height + y) * rowLength + firstColumn * channels;
          const from = (b * height + y + dy) * rowLength + (firstColumn + dx) * channels;
          cropped.set(values.subarray(from, from + columns * channels), target);
        }
      }
      return cropped;
    },
  };
}
