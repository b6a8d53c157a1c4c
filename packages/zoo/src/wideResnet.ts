import * as tfl from '@tensorflow/tfjs-layers';
import { LayerFactory } from './LayerFactory.js';

export interface WideResnetOptions {
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly name: string;
  readonly seed: number;
  /** 6n + 4: n blocks per group. */
  readonly depth: number;
  /** k: the groups have 16k, 32k and 64k filters. */
  readonly widenFactor: number;
}

/**
 * Wide ResNet WRN-d-k (Zagoruyko & Komodakis 2016, "Wide Residual Networks"), as in the authors' code and
 * RepDistiller's `models/wrn.py`, without dropout: a 3×3 conv with 16 filters, three groups of (d − 4) / 6
 * pre-activation blocks (BN-ReLU-3×3 conv-BN-ReLU-3×3 conv, plus the shortcut) with 16k, 32k, 64k filters,
 * stride 2 at the first block of groups 2 and 3. Where the width changes, the block's BN-ReLU feeds both
 * branches and the shortcut is a 1×1 convolution (no batch norm) of it; elsewhere the shortcut is the
 * block's raw input. Then BN-ReLU, global average pooling, dense logits.
 *
 * Taps: `<name>_stem` the first conv [B, 32, 32, 16] (no activation); `<name>_stage1|2|3` each group's
 * output, the last block's addition, before any activation (the next block, or the final BN-ReLU, brings
 * it), [B, 32, 32, 16k], [B, 16, 16, 32k], [B, 8, 8, 64k] — the maps attention transfer's reference code
 * and RepDistiller's f1–f3 take; `<name>_final` the final BN-ReLU (post-ReLU) [B, 8, 8, 64k]; `<name>_pool`
 * [B, 64k]; `<name>_logits` [B, classes].
 */
export function wideResnet(options: WideResnetOptions): tfl.LayersModel {
  const layers = new LayerFactory(options.name, options.seed);
  const blocks = (options.depth - 4) / 6;
  const k = options.widenFactor;
  const input = tfl.input({ name: layers.name('input'), shape: [...options.inputShape] });
  let x = layers.conv(input, 'stem', 16, 3);
  let channels = 16;
  [16 * k, 32 * k, 64 * k].forEach((filters, groupIndex) => {
    const stage = groupIndex + 1;
    for (let block = 1; block <= blocks; block++) {
      const strides = stage > 1 && block === 1 ? 2 : 1;
      const local = `s${stage}b${block}`;
      const activated = layers.relu(layers.batchNorm(x, `${local}_bn1`), `${local}_relu1`);
      const shortcut = filters !== channels ? layers.conv(activated, `${local}_shortcut`, filters, 1, { strides }) : x;
      const middle = layers.relu(
        layers.batchNorm(layers.conv(activated, `${local}_conv1`, filters, 3, { strides }), `${local}_bn2`),
        `${local}_relu2`,
      );
      const residual = layers.conv(middle, `${local}_conv2`, filters, 3);
      x = layers.add(residual, shortcut, block === blocks ? `stage${stage}` : `${local}_add`);
      channels = filters;
    }
  });
  const final = layers.relu(layers.batchNorm(x, 'final_bn'), 'final');
  return layers.classifier(input, final, options.classes);
}
