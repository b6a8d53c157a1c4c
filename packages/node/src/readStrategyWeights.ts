import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DistilleryError, type StateTensor } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

/** What {@link writeStrategyWeights} wrote; a missing or damaged file is one line naming it. */
export async function readStrategyWeights(directory: string): Promise<Record<string, StateTensor>> {
  const manifestPath = join(directory, 'stage-strategy-weights.json');
  let tensors: tf.NamedTensorMap;
  let specs: tf.io.WeightsManifestEntry[];
  try {
    specs = (JSON.parse(await readFile(manifestPath, 'utf8')) as { weights: tf.io.WeightsManifestEntry[] }).weights;
    const bytes = await readFile(join(directory, 'stage-strategy-weights.bin'));
    tensors = tf.io.decodeWeights(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      specs,
    );
  } catch (error) {
    throw new DistilleryError(`${manifestPath}: cannot read the stage's strategy weights (${(error as Error).message})`);
  }
  const weights: Record<string, StateTensor> = {};
  for (const spec of specs) {
    const tensor = tensors[spec.name] as tf.Tensor;
    weights[spec.name] = {
      shape: [...tensor.shape],
      dtype: tensor.dtype === 'int32' ? 'int32' : 'float32',
      values: tensor.dtype === 'int32' ? Int32Array.from(tensor.dataSync()) : Float32Array.from(tensor.dataSync()),
    };
    tensor.dispose();
  }
  return weights;
}
