import * as tfl from '@tensorflow/tfjs-layers';
import { LayerFactory } from './LayerFactory.js';

export interface LeNet5Options {
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly name: string;
  readonly seed: number;
}

/**
 * LeNet-5 (LeCun et al. 1998, "Gradient-based learning applied to document recognition", §II.B) in the form
 * PyTorch users train it: ReLU and 2×2 max-pooling where the paper has scaled tanh and trainable subsampling,
 * full connections between C3 and S2 where the paper wires each C3 map to a subset, and a dense classifier
 * where it has Gaussian (RBF) units. conv 5×5 ×6 → pool → conv 5×5 ×16 → pool → 120 → 84 → classes, all
 * unpadded; an input under 32×32 is zero-padded to 32×32 first, centred, as the paper puts its 28×28 digits
 * in a 32×32 field. On MNIST it has 61,706 parameters; it is the zoo's one net small enough to train in a
 * browser tab without a GPU (about 0.3M multiply-adds per 32×32 image against ResNet-8's 12M).
 *
 * Every kernel and bias has PyTorch's default initialisation, U(±1/√fan_in), as the reference has no other.
 *
 * Taps (post-ReLU): `<name>_stem` C1 [B, 28, 28, 6]; `<name>_stage1` S2 [B, 14, 14, 6]; `<name>_stage2` S4
 * [B, 5, 5, 16]; `<name>_pool` F6 [B, 84] — no pooling, but the features the classifier reads, which is what
 * the relation and contrastive methods tap as `_pool` on every other zoo net; `<name>_logits` [B, classes].
 */
export function leNet5(options: LeNet5Options): tfl.LayersModel {
  const layers = new LayerFactory(options.name, options.seed);
  const input = tfl.input({ name: layers.name('input'), shape: [...options.inputShape] });
  const [height = 0, width = 0, channels = 0] = options.inputShape;
  const padding = (size: number) => {
    const total = Math.max(0, 32 - size);
    return [Math.floor(total / 2), total - Math.floor(total / 2)] as [number, number];
  };
  let x = input;
  if (height < 32 || width < 32) {
    x = tfl.layers
      .zeroPadding2d({ name: layers.name('pad'), padding: [padding(height), padding(width)] })
      .apply(x) as tfl.SymbolicTensor;
  }
  const conv = (local: string, filters: number, inChannels: number) =>
    tfl.layers.conv2d({
      name: layers.name(local),
      filters,
      kernelSize: 5,
      padding: 'valid',
      activation: 'relu',
      kernelInitializer: layers.uniformFanIn(25 * inChannels),
      biasInitializer: layers.uniformFanIn(25 * inChannels),
    });
  const pool = (local: string) => tfl.layers.maxPooling2d({ name: layers.name(local), poolSize: 2 });
  const dense = (local: string, units: number, fanIn: number) =>
    tfl.layers.dense({
      name: layers.name(local),
      units,
      activation: 'relu',
      kernelInitializer: layers.uniformFanIn(fanIn),
      biasInitializer: layers.uniformFanIn(fanIn),
    });
  x = conv('stem', 6, channels).apply(x) as tfl.SymbolicTensor;
  x = pool('stage1').apply(x) as tfl.SymbolicTensor;
  x = conv('c3', 16, 6).apply(x) as tfl.SymbolicTensor;
  x = pool('stage2').apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten({ name: layers.name('flatten') }).apply(x) as tfl.SymbolicTensor;
  const flat = x.shape[1] as number;
  x = dense('c5', 120, flat).apply(x) as tfl.SymbolicTensor;
  x = dense('pool', 84, 120).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ name: options.name, inputs: input, outputs: layers.logits(x, options.classes) });
}
