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
}

/** A small NHWC conv net that outputs logits; each conv block's output is tappable by name. */
export function fixtureCnn(options: FixtureCnnOptions): tfl.Sequential {
  const prefix = options.prefix ?? 'cnn';
  const seed = options.seed ?? 1;
  const model = tfl.sequential({ name: prefix });
  options.channels.forEach((filters, i) => {
    model.add(
      tfl.layers.conv2d({
        name: `${prefix}_conv${i + 1}`,
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tfl.initializers.heNormal({ seed: seed + i }),
        ...(i === 0 ? { inputShape: [...options.inputShape] } : {}),
      }),
    );
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
