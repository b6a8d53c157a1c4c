import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Augmentation } from './Augmentation.js';
import { checkImageExamples } from './checkImageExamples.js';
import { imageBatchShape } from './imageBatchShape.js';
import type { RandomSource } from './RandomSource.js';

export interface CutoutOptions {
  /** Side of the square in pixels; DeVries & Taylor use 16 on CIFAR-10 and 8 on CIFAR-100. */
  readonly size: number;
}

/**
 * Sets one size × size square of each image of a [B, H, W, C] batch to 0, all channels: Cutout, from
 * DeVries & Taylor, "Improved Regularization of Convolutional Neural Networks with Cutout" (2017). The
 * square's centre (cx, cy) is uniform over the image's pixels, cx_b drawn first: cx = floor(random() · W),
 * cy = floor(random() · H); the square covers columns [cx − ⌊size/2⌋, cx − ⌊size/2⌋ + size) and the like
 * rows, clipped at the borders, so near an edge less than size² pixels go (as in the paper, where this
 * is what lets the model see partly occluded objects). For an even size this is the paper's square
 * exactly; for an odd one theirs is a pixel narrower, ours is size wide as the name says.
 *
 * The values are raw pixels, so the square is black; DeVries & Taylor cut after normalising, which
 * fills with the dataset mean instead.
 *
 * On tensors, the pixels and one zero pixel are gathered in one tf.gather; `applyToValues` fills rows.
 */
export function cutout(options: CutoutOptions): Augmentation {
  const { size } = options;
  if (!Number.isInteger(size) || size < 1) {
    throw new DistilleryError(`cutout: size must be a positive integer, got ${size}`);
  }
  const name = 'cutout';
  /** The square of one image as [x0, x1) × [y0, y1), clipped to the image. */
  const square = (height: number, width: number, random: RandomSource): [number, number, number, number] => {
    const x0 = Math.floor(random() * width) - Math.floor(size / 2);
    const y0 = Math.floor(random() * height) - Math.floor(size / 2);
    return [Math.max(0, x0), Math.min(width, x0 + size), Math.max(0, y0), Math.min(height, y0 + size)];
  };
  return {
    description: `cutout(${size})`,
    checkExampleShape: (exampleShape) => checkImageExamples(name, exampleShape),
    apply(inputs, random) {
      const [batch, height, width, channels] = imageBatchShape(name, inputs.shape);
      // Index batch · H · W is the zero pixel appended after the batch's pixels.
      const zero = batch * height * width;
      const sources = new Int32Array(zero);
      for (let k = 0; k < zero; k++) sources[k] = k;
      for (let b = 0; b < batch; b++) {
        const [x0, x1, y0, y1] = square(height, width, random);
        for (let y = y0; y < y1; y++) sources.fill(zero, (b * height + y) * width + x0, (b * height + y) * width + x1);
      }
      const pixels = tf.concat([tf.reshape(inputs, [-1, channels]), tf.zeros([1, channels])]);
      return tf.reshape(tf.gather(pixels, tf.tensor1d(sources, 'int32')), [batch, height, width, channels]);
    },
    applyToValues(values, shape, random) {
      const [batch, height, width, channels] = imageBatchShape(name, shape);
      const out = new Float32Array(values);
      for (let b = 0; b < batch; b++) {
        const [x0, x1, y0, y1] = square(height, width, random);
        if (x1 <= x0) continue;
        for (let y = y0; y < y1; y++)
          out.fill(0, ((b * height + y) * width + x0) * channels, ((b * height + y) * width + x1) * channels);
      }
      return out;
    },
  };
}
