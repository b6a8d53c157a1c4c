import * as tfl from '@tensorflow/tfjs-layers';
import { LayerFactory } from './LayerFactory.js';

export interface MobileNetV2Options {
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly name: string;
  readonly seed: number;
  /** Width multiplier of every layer but the last 1×1 conv (1280 unless the multiplier exceeds 1); 0.5 by default. */
  readonly widthMultiplier?: number;
  /** Expansion factor t of the inverted residuals after the first; 6 by default. */
  readonly expansion?: number;
}

/** (t, c, n, s) per group, MobileNetV2's table 2 with the CIFAR strides of RepDistiller's `mobilenetv2.py`. */
const groups = (t: number) =>
  [
    [1, 16, 1, 1],
    [t, 24, 2, 1],
    [t, 32, 3, 2],
    [t, 64, 4, 2],
    [t, 96, 3, 1],
    [t, 160, 3, 2],
    [t, 320, 1, 1],
  ] as const;

/** The group after which each stage tap sits (RepDistiller's f1–f4). */
const stageAfterGroup = new Map([
  [1, 1],
  [2, 2],
  [4, 3],
  [6, 4],
]);

/**
 * MobileNetV2 (Sandler et al. 2018) for 32×32, as the student of Tian et al. 2020 (RepDistiller's
 * `mobile_half`: width multiplier 0.5, t = 6): a 3×3 conv-BN-ReLU at stride 2, seven groups of inverted
 * residuals — each 1×1 expansion to t·c_in-BN-ReLU (present even when t = 1, as there), depthwise 3×3 at
 * stride s-BN-ReLU, 1×1 projection-BN, plus the input when the stride is 1 and the width stays — then 1×1
 * conv 1280-BN-ReLU, global average pooling, dense logits. ReLU, not ReLU6, as in that code.
 * 32 → 16 → 16 → 8 → 4 → 4 → 2 → 2 pixels.
 *
 * Taps: `<name>_stem` the first ReLU [B, 16, 16, 32w]; `<name>_stage1|2|3|4` the output of groups 1, 2, 4
 * and 6 (RepDistiller's f1–f4): a linear bottleneck, the projection's batch norm or its sum with the
 * input, with no activation, [B, 16, 16, 24w], [B, 8, 8, 32w], [B, 4, 4, 96w], [B, 2, 2, 320w]; `<name>_head`
 * the last 1×1 conv's ReLU [B, 2, 2, 1280]; `<name>_pool` [B, 1280]; `<name>_logits` [B, classes].
 */
export function mobileNetV2(options: MobileNetV2Options): tfl.LayersModel {
  const layers = new LayerFactory(options.name, options.seed);
  const width = options.widthMultiplier ?? 0.5;
  const input = tfl.input({ name: layers.name('input'), shape: [...options.inputShape] });
  let channels = Math.floor(32 * width);
  let x = layers.convBnRelu(input, 'stem_conv', channels, 3, { strides: 2, reluName: 'stem' });
  groups(options.expansion ?? 6).forEach(([t, c, n, s], group) => {
    const filters = Math.floor(c * width);
    for (let block = 1; block <= n; block++) {
      const strides = block === 1 ? s : 1;
      const local = `g${group}b${block}`;
      const expanded = layers.convBnRelu(x, `${local}_expand`, t * channels, 1);
      const depthwise = layers.relu(
        layers.batchNorm(layers.depthwise(expanded, `${local}_depthwise`, strides), `${local}_depthwise_bn`),
        `${local}_depthwise_relu`,
      );
      const stage = block === n ? stageAfterGroup.get(group) : undefined;
      const residual = strides === 1 && filters === channels;
      const projectedName = stage !== undefined && !residual ? `stage${stage}` : `${local}_project_bn`;
      const projected = layers.batchNorm(layers.conv(depthwise, `${local}_project`, filters, 1), projectedName);
      x = residual ? layers.add(projected, x, stage !== undefined ? `stage${stage}` : `${local}_add`) : projected;
      channels = filters;
    }
  });
  const lastWidth = width > 1 ? Math.floor(1280 * width) : 1280;
  const head = layers.convBnRelu(x, 'head_conv', lastWidth, 1, { reluName: 'head' });
  return layers.classifier(input, head, options.classes);
}
