import * as tfl from '@tensorflow/tfjs-layers';
import { ChannelSlice } from './ChannelSlice.js';
import { channelShuffle } from './channelShuffle.js';
import { LayerFactory } from './LayerFactory.js';

type Tensor = tfl.SymbolicTensor;

export interface ShuffleNetV2Options {
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly name: string;
  readonly seed: number;
  /** Output widths of stages 1–3 and of the last 1×1 conv; [116, 232, 464, 1024] (net size 1) by default. */
  readonly widths?: readonly [number, number, number, number];
  /** Basic blocks after each stage's down-sampling block; [3, 7, 3] by default. */
  readonly blocks?: readonly [number, number, number];
}

const concat = (layers: LayerFactory, a: Tensor, b: Tensor, local: string) =>
  tfl.layers.concatenate({ name: layers.name(local), axis: -1 }).apply([a, b]) as Tensor;

/** Stride-2 unit: both branches see the whole input; the width goes to `filters`. */
function downBlock(layers: LayerFactory, x: Tensor, local: string, filters: number, shuffled: string): Tensor {
  const half = filters / 2;
  const leftDepthwise = layers.batchNorm(layers.depthwise(x, `${local}_left_depthwise`, 2), `${local}_left_depthwise_bn`);
  const left = layers.convBnRelu(leftDepthwise, `${local}_left_conv`, half, 1);
  const rightIn = layers.convBnRelu(x, `${local}_right_conv1`, half, 1);
  const rightDepthwise = layers.batchNorm(
    layers.depthwise(rightIn, `${local}_right_depthwise`, 2),
    `${local}_right_depthwise_bn`,
  );
  const right = layers.convBnRelu(rightDepthwise, `${local}_right_conv2`, half, 1);
  return channelShuffle(layers, concat(layers, left, right, `${local}_concat`), shuffled);
}

/** Stride-1 unit: the first half of the channels passes; the second goes through 1×1, depthwise 3×3, 1×1. */
function basicBlock(layers: LayerFactory, x: Tensor, local: string, shuffled: string): Tensor {
  const channels = x.shape[3] as number;
  const half = channels / 2;
  const kept = new ChannelSlice({ name: layers.name(`${local}_split_kept`), begin: 0, size: half }).apply(x) as Tensor;
  const branchIn = new ChannelSlice({ name: layers.name(`${local}_split_branch`), begin: half, size: channels - half }).apply(
    x,
  ) as Tensor;
  const first = layers.convBnRelu(branchIn, `${local}_conv1`, half, 1);
  const depthwise = layers.batchNorm(layers.depthwise(first, `${local}_depthwise`), `${local}_depthwise_bn`);
  const branch = layers.convBnRelu(depthwise, `${local}_conv2`, half, 1);
  return channelShuffle(layers, concat(layers, kept, branch, `${local}_concat`), shuffled);
}

/**
 * ShuffleNetV2 (Ma et al. 2018) for 32×32, as the student of Tian et al. 2020 (RepDistiller's
 * `ShuffleNetv2.py`, net size 1): a 1×1 conv 24-BN-ReLU stem at full resolution, three stages, each a
 * stride-2 down-sampling unit (left: depthwise 3×3-BN, 1×1-BN-ReLU; right: 1×1-BN-ReLU, depthwise 3×3-BN,
 * 1×1-BN-ReLU; concatenated) and then 3, 7, 3 basic units (channel split in halves; the second through
 * 1×1-BN-ReLU, depthwise 3×3-BN, 1×1-BN-ReLU; concatenated with the first), every unit ending in a channel
 * shuffle with two groups; then 1×1 conv 1024-BN-ReLU, global average pooling, dense logits.
 * 32 → 16 → 8 → 4 pixels.
 *
 * Taps: `<name>_stem` the stem's ReLU [B, 32, 32, 24]; `<name>_stage1|2|3` the channel shuffle ending each
 * stage, [B, 16, 16, 116], [B, 8, 8, 232], [B, 4, 4, 464] (RepDistiller's f1–f3): half its channels
 * post-ReLU, the other half passed through from earlier units (themselves post-ReLU or the stage's
 * input); `<name>_head` the last 1×1 conv's ReLU [B, 4, 4, 1024]; `<name>_pool` [B, 1024];
 * `<name>_logits` [B, classes].
 */
export function shuffleNetV2(options: ShuffleNetV2Options): tfl.LayersModel {
  const layers = new LayerFactory(options.name, options.seed);
  const widths = options.widths ?? [116, 232, 464, 1024];
  const blocks = options.blocks ?? [3, 7, 3];
  const input = tfl.input({ name: layers.name('input'), shape: [...options.inputShape] });
  let x = layers.convBnRelu(input, 'stem_conv', 24, 1, { reluName: 'stem' });
  blocks.forEach((count, stageIndex) => {
    const stage = stageIndex + 1;
    const last = (block: number) => (block === count ? `stage${stage}` : `s${stage}b${block}_shuffle`);
    x = downBlock(layers, x, `s${stage}b0`, widths[stageIndex] as number, count === 0 ? `stage${stage}` : `s${stage}b0_shuffle`);
    for (let block = 1; block <= count; block++) x = basicBlock(layers, x, `s${stage}b${block}`, last(block));
  });
  const head = layers.convBnRelu(x, 'head_conv', widths[3], 1, { reluName: 'head' });
  return layers.classifier(input, head, options.classes);
}
