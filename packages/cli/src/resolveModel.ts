import { resolve } from 'node:path';
import { buildModel, type ModelConfig, type ZooModelConfig } from '@distillery/config';
import { DistilleryError } from '@distillery/core';
import { loadModel } from '@distillery/node';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface ResolveModelOptions {
  readonly baseDirectory: string;
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly name: string;
  readonly seed: number;
  /** Where the model stands in the config, for errors (`teachers[1].model`). */
  readonly field: string;
}

/** A zoo model built fresh, or a saved model loaded and checked against the data's example shape. */
export async function resolveModel(
  config: ZooModelConfig | Extract<ModelConfig, { type: 'file' }>,
  options: ResolveModelOptions,
): Promise<tfl.LayersModel> {
  if ((config.type === 'cnn' || config.type === 'zoo') && options.inputShape.length !== 3) {
    // Caught here, or tfjs says only that conv1 expected ndim=4.
    throw new DistilleryError(
      `${options.field}: a ${config.type === 'zoo' ? config.name : 'cnn'} takes examples of shape [height, width, channels], the data has [${options.inputShape.join(', ')}]`,
      options.field,
    );
  }
  if (config.type !== 'file') return buildModel(config, options);
  const path = resolve(options.baseDirectory, config.path);
  let model: tfl.LayersModel;
  try {
    model = await loadModel(path);
  } catch (error) {
    throw new DistilleryError(`${options.field}.path: ${(error as Error).message}`, `${options.field}.path`);
  }
  const expected = model.inputs[0]?.shape.slice(1) ?? [];
  if (
    expected.length !== options.inputShape.length ||
    expected.some((size, i) => size !== null && size !== options.inputShape[i])
  ) {
    model.dispose();
    throw new DistilleryError(
      `${options.field}.path: the model at ${path} takes examples of shape [${expected.join(', ')}], the data has [${options.inputShape.join(', ')}]`,
      `${options.field}.path`,
    );
  }
  return model;
}
