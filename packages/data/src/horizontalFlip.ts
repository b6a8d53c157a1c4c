import * as tf from '@tensorflow/tfjs-core';
import type { Augmentation } from './Augmentation.js';
import { checkImageExamples } from './checkImageExamples.js';
import { imageBatchShape } from './imageBatchShape.js';

/**
 * Mirrors each image of a [B, H, W, C] batch left to right with probability ½: the CIFAR augmentation of
 * He et al. (2016), §4.2, alongside {@link randomCrop}. One draw per image: flipped when random() < ½.
 *
 *   out[b, y, x, c] = in[b, y, W − 1 − x, c]   for a flipped image, in[b, y, x, c] otherwise
 *
 * On tensors, one tf.gather of pixels does the whole batch; `applyToValues` copies pixels.
 */
export function horizontalFlip(): Augmentation {
  const name = 'horizontalFlip';
  return {
    description: 'horizontalFlip()',
    checkExampleShape: (exampleShape) => checkImageExamples(name, exampleShape),
    apply(inputs, random) {
      const [batch, height, width, channels] = imageBatchShape(name, inputs.shape);
      const sources = new Int32Array(batch * height * width);
      let k = 0;
      for (let b = 0; b < batch; b++) {
        const flipped = random() < 0.5;
        for (let y = 0; y < height; y++) {
          const row = (b * height + y) * width;
          for (let x = 0; x < width; x++) sources[k++] = row + (flipped ? width - 1 - x : x);
        }
      }
      const pixels = tf.gather(tf.reshape(inputs, [-1, channels]), tf.tensor1d(sources, 'int32'));
      return tf.reshape(pixels, [batch, height, width, channels]);
    },
    applyToValues(values, shape, random) {
      const [batch, height, width, channels] = imageBatchShape(name, shape);
      const out = new Float32Array(values);
      for (let b = 0; b < batch; b++) {
        if (!(random() < 0.5)) continue;
        for (let y = 0; y < height; y++) {
          const row = (b * height + y) * width;
          for (let x = 0; x < width; x++) {
            const from = (row + width - 1 - x) * channels;
            out.set(values.subarray(from, from + channels), (row + x) * channels);
          }
        }
      }
      return out;
    },
  };
}
