import { buildZooModel } from '@distillery/zoo';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ZooModelConfig } from './experimentConfigSchema.js';
import { SeededDropout } from './SeededDropout.js';

export interface BuildModelOptions {
  /** Shape of one example, e.g. [28, 28, 1] or [16]. */
  readonly inputShape: readonly number[];
  readonly classes: number;
  /** Prefix of every layer name: `<name>_hidden1`, `<name>_conv2`, `<name>_logits`. */
  readonly name: string;
  /** Seeds every initialiser, so a seed gives the same initial model. */
  readonly seed: number;
}

/**
 * Builds a model that outputs logits. Layer names are predictable so configs can tap them:
 * MLP `<name>_hidden<i>`; CNN `<name>_conv<i>` (after ReLU), `<name>_pool<i>`, `<name>_dense`; both `<name>_logits`;
 * `zoo` models (@distillery/zoo's `buildZooModel`) `<name>_stem`, `<name>_stage<i>`, `<name>_pool`, `<name>_logits`.
 */
export function buildModel(config: ZooModelConfig, options: BuildModelOptions): tfl.LayersModel {
  if (config.type === 'zoo') return buildZooModel(config.name, options);
  const { name } = options;
  let seed = options.seed * 1000;
  const glorot = () => tfl.initializers.glorotUniform({ seed: seed++ });
  const he = () => tfl.initializers.heNormal({ seed: seed++ });
  const model = tfl.sequential({ name });
  // The first layer added declares the input shape; every later one infers it.
  let declared = false;
  const first = (): { inputShape?: number[] } => {
    if (declared) return {};
    declared = true;
    return { inputShape: [...options.inputShape] };
  };

  if (config.type === 'mlp') {
    if (options.inputShape.length > 1) model.add(tfl.layers.flatten({ name: `${name}_flatten`, ...first() }));
    if (config.inputDropout > 0) {
      model.add(new SeededDropout({ name: `${name}_input_dropout`, rate: config.inputDropout, seed: seed++, ...first() }));
    }
    config.hidden.forEach((units, i) => {
      model.add(
        tfl.layers.dense({ name: `${name}_hidden${i + 1}`, units, activation: 'relu', kernelInitializer: glorot(), ...first() }),
      );
      if (config.dropout > 0)
        model.add(new SeededDropout({ name: `${name}_dropout${i + 1}`, rate: config.dropout, seed: seed++ }));
    });
  } else {
    config.channels.forEach((filters, i) => {
      model.add(
        tfl.layers.conv2d({
          name: `${name}_conv${i + 1}`,
          filters,
          kernelSize: 3,
          padding: 'same',
          activation: config.batchNorm ? 'linear' : 'relu',
          useBias: !config.batchNorm,
          kernelInitializer: he(),
          ...first(),
        }),
      );
      if (config.batchNorm) {
        model.add(tfl.layers.batchNormalization({ name: `${name}_bn${i + 1}` }));
        model.add(tfl.layers.reLU({ name: `${name}_relu${i + 1}` }));
      }
      model.add(tfl.layers.maxPooling2d({ name: `${name}_pool${i + 1}`, poolSize: 2 }));
    });
    model.add(tfl.layers.flatten({ name: `${name}_flatten` }));
    if (config.dense > 0) {
      model.add(
        tfl.layers.dense({ name: `${name}_dense`, units: config.dense, activation: 'relu', kernelInitializer: glorot() }),
      );
    }
    if (config.dropout > 0) model.add(new SeededDropout({ name: `${name}_dropout`, rate: config.dropout, seed: seed++ }));
  }
  model.add(tfl.layers.dense({ name: `${name}_logits`, units: options.classes, kernelInitializer: glorot(), ...first() }));
  return model;
}
