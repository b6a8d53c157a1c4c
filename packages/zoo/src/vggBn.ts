import * as tfl from '@tensorflow/tfjs-layers';
import { LayerFactory } from './LayerFactory.js';

export interface VggBnOptions {
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly name: string;
  readonly seed: number;
  /** Filters of each 3×3 convolution, per block (five blocks): VGG-8 [[64], [128], [256], [512], [512]]. */
  readonly blocks: readonly (readonly number[])[];
}

/**
 * VGG with batch norm for CIFAR (Simonyan & Zisserman 2015, in the form of RepDistiller's `models/vgg.py`,
 * Tian et al. 2020): five blocks of 3×3 conv-BN-ReLU (the convolutions keep their bias, as there), a 2×2
 * max-pool after blocks 0, 1 and 2 (and after block 3 for inputs of 64 pixels or more), no fully connected
 * layers but global average pooling and dense logits. VGG-8 has one conv per block, VGG-13 two.
 * 32 → 16 → 8 → 4 → 4 pixels.
 *
 * Taps (all post-ReLU, before the block's max-pool): `<name>_stem` block 0 [B, 32, 32, 64];
 * `<name>_stage1|2|3|4` blocks 1–4, [B, 16, 16, 128], [B, 8, 8, 256], [B, 4, 4, 512], [B, 4, 4, 512]
 * (RepDistiller's f1–f4); `<name>_pool` [B, 512]; `<name>_logits` [B, classes].
 */
export function vggBn(options: VggBnOptions): tfl.LayersModel {
  const layers = new LayerFactory(options.name, options.seed);
  const input = tfl.input({ name: layers.name('input'), shape: [...options.inputShape] });
  const poolAfterBlock3 = (options.inputShape[0] ?? 0) >= 64;
  let x = input;
  options.blocks.forEach((filters, block) => {
    const blockName = block === 0 ? 'stem' : `stage${block}`;
    filters.forEach((width, i) => {
      const local = `b${block}_conv${i + 1}`;
      const last = i === filters.length - 1;
      x = layers.convBnRelu(x, local, width, 3, { bias: true, reluName: last ? blockName : `${local}_relu` });
    });
    if (block <= 2 || (block === 3 && poolAfterBlock3)) {
      x = tfl.layers.maxPooling2d({ name: layers.name(`b${block}_maxpool`), poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
    }
  });
  return layers.classifier(input, x, options.classes);
}
