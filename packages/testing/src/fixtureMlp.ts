import * as tfl from '@tensorflow/tfjs-layers';

export interface FixtureMlpOptions {
  readonly inputSize: number;
  /**
   * Shape of one example when it is not a flat vector (e.g. [8, 8, 1] images): a Flatten layer named
   * `<prefix>_flatten` comes first, so MLPs and conv nets can share one dataset. Its product must equal `inputSize`.
   */
  readonly inputShape?: readonly number[];
  readonly hidden: readonly number[];
  readonly classes: number;
  /** Seeds the kernel initialisers, so a fixture is the same model on every run. */
  readonly seed?: number;
  /** Prefix of the layer names: `${prefix}_hidden1`, …, `${prefix}_logits`. */
  readonly prefix?: string;
}

/** A small ReLU MLP that outputs logits. Hidden layers are named `<prefix>_hidden<i>` (1-based) for tapping. */
export function fixtureMlp(options: FixtureMlpOptions): tfl.Sequential {
  const prefix = options.prefix ?? 'mlp';
  const seed = options.seed ?? 1;
  const model = tfl.sequential({ name: prefix });
  const flatten = options.inputShape !== undefined;
  if (flatten) model.add(tfl.layers.flatten({ name: `${prefix}_flatten`, inputShape: [...(options.inputShape ?? [])] }));
  options.hidden.forEach((units, i) => {
    model.add(
      tfl.layers.dense({
        name: `${prefix}_hidden${i + 1}`,
        units,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }),
        ...(i === 0 && !flatten ? { inputShape: [options.inputSize] } : {}),
      }),
    );
  });
  model.add(
    tfl.layers.dense({
      name: `${prefix}_logits`,
      units: options.classes,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + options.hidden.length }),
      ...(options.hidden.length === 0 && !flatten ? { inputShape: [options.inputSize] } : {}),
    }),
  );
  return model;
}
