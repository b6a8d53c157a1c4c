import * as tfl from '@tensorflow/tfjs-layers';

export interface FixtureCnnOptions {
  /** [H, W, C] */
  readonly inputShape: readonly [number, number, number];
  /** Channels of each 3×3 'same' convolution; a 2×2 max-pool follows every block but the last. */
  readonly channels: readonly number[];
  readonly classes: number;
  readonly seed?: number;
  /** Layer names: `${prefix}_conv<i>` (1-based, after ReLU), `${prefix}_logits`. */
  readonly prefix?: string;
  /**
   * conv → batch norm → ReLU blocks (PyTorch's BatchNorm2d defaults: momentum 0.9 in tfjs terms, ε = 1e-5), for
   * strategies that read pre-ReLU features or batch-norm weights: the convolution (no bias) is `${prefix}_linear<i>`,
   * the batch norm `${prefix}_bn<i>` (the pre-ReLU feature) and the ReLU keeps the name `${prefix}_conv<i>`.
   */
  readonly batchNorm?: boolean;
}

/** A small NHWC conv net that outputs logits; each conv block's output is tappable by name. */
export function fixtureCnn(options: FixtureCnnOptions): tfl.Sequential {
  const prefix = options.prefix ?? 'cnn';
  const seed = options.seed ?? 1;
  const model = tfl.sequential({ name: prefix });
  options.channels.forEach((filters, i) => {
    const normalized = options.batchNorm === true;
    model.add(
      tfl.layers.conv2d({
        name: normalized ? `${prefix}_linear${i + 1}` : `${prefix}_conv${i + 1}`,
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: normalized ? 'linear' : 'relu',
        useBias: !normalized,
        kernelInitializer: tfl.initializers.heNormal({ seed: seed + i }),
        ...(i === 0 ? { inputShape: [...options.inputShape] } : {}),
      }),
    );
    if (normalized) {
      model.add(tfl.layers.batchNormalization({ name: `${prefix}_bn${i + 1}`, momentum: 0.9, epsilon: 1e-5 }));
      model.add(tfl.layers.reLU({ name: `${prefix}_conv${i + 1}` }));
    }
    if (i < options.channels.length - 1) model.add(tfl.layers.maxPooling2d({ name: `${prefix}_pool${i + 1}`, poolSize: 2 }));
  });
  model.add(tfl.layers.globalAveragePooling2d({ name: `${prefix}_gap` }));
  model.add(
    tfl.layers.dense({
      name: `${prefix}_logits`,
      units: options.classes,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + options.channels.length }),
    }),
  );
  return model;
}
