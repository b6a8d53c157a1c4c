import * as tfl from '@tensorflow/tfjs-layers';
import { LayerFactory } from './LayerFactory.js';

export interface CifarResnetOptions {
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly name: string;
  readonly seed: number;
  /** 6n + 2: n basic blocks per stage. */
  readonly depth: number;
  /** Filters of the stem, then of stages 1, 2 and 3: [16, 16, 32, 64] (He et al.), [32, 64, 128, 256] for the ×4 nets. */
  readonly widths: readonly [number, number, number, number];
}

/**
 * ResNet for CIFAR (He et al. 2016, "Deep Residual Learning for Image Recognition", §4.2), in the form
 * distillation papers use (Tian et al. 2020's RepDistiller, `models/resnet.py`): a 3×3 conv-BN-ReLU stem,
 * three stages of n = (depth − 2) / 6 basic blocks (3×3 conv-BN-ReLU-3×3 conv-BN, plus the shortcut, then
 * ReLU), stride 2 at the first block of stages 2 and 3; where a block changes the shape the shortcut is a
 * 1×1 convolution with batch norm (option B; the paper's own CIFAR nets zero-pad instead, option A). Global
 * average pooling, dense logits. 32 → 32 → 16 → 8 pixels.
 *
 * Taps (all post-ReLU): `<name>_stem` the stem's ReLU [B, 32, 32, w0]; `<name>_stage1|2|3` the ReLU after
 * the stage's last block's addition, [B, 32, 32, w1], [B, 16, 16, w2], [B, 8, 8, w3] (RepDistiller's
 * f1–f3); `<name>_pool` [B, w3]; `<name>_logits` [B, classes].
 */
export function cifarResnet(options: CifarResnetOptions): tfl.LayersModel {
  const layers = new LayerFactory(options.name, options.seed);
  const blocks = (options.depth - 2) / 6;
  const [stemWidth, ...stageWidths] = options.widths;
  const input = tfl.input({ name: layers.name('input'), shape: [...options.inputShape] });
  let x = layers.convBnRelu(input, 'stem_conv', stemWidth, 3, { reluName: 'stem' });
  let channels = stemWidth;
  stageWidths.forEach((filters, stageIndex) => {
    const stage = stageIndex + 1;
    for (let block = 1; block <= blocks; block++) {
      const strides = stage > 1 && block === 1 ? 2 : 1;
      const local = `s${stage}b${block}`;
      const branch = layers.convBnRelu(x, `${local}_conv1`, filters, 3, { strides });
      const residual = layers.batchNorm(layers.conv(branch, `${local}_conv2`, filters, 3), `${local}_conv2_bn`);
      const shortcut =
        strides !== 1 || filters !== channels
          ? layers.batchNorm(layers.conv(x, `${local}_shortcut`, filters, 1, { strides }), `${local}_shortcut_bn`)
          : x;
      x = layers.relu(layers.add(residual, shortcut, `${local}_add`), block === blocks ? `stage${stage}` : `${local}_relu`);
      channels = filters;
    }
  });
  return layers.classifier(input, x, options.classes);
}
