import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DistilleryError } from '@distillery/core';
import { expectedWeightBytes, writeFileAtomic } from '@distillery/node';
import type * as tf from '@tensorflow/tfjs-core';
import { type Quantization, quantizeWeights } from './quantizeWeights.js';

/**
 * `distillery export <run dir> --quantize float16|uint8`: writes the run's student, its weights
 * quantized, to `<run dir>/export-<quantization>/` in the standard tfjs layout, loadable anywhere
 * tfjs runs. Returns the directory and the sizes before and after.
 */
export async function exportStudent(
  runDirectory: string,
  quantization: Quantization,
): Promise<{ directory: string; bytesBefore: number; bytesAfter: number }> {
  const source = join(runDirectory, 'student');
  const modelJsonPath = join(source, 'model.json');
  const modelJson = await readFile(modelJsonPath, 'utf8').then(
    (text) => JSON.parse(text) as tf.io.ModelJSON,
    (error: NodeJS.ErrnoException) => {
      throw new DistilleryError(
        error.code === 'ENOENT'
          ? `${runDirectory}: no student model (student/model.json); is it a finished run directory?`
          : `${modelJsonPath}: ${error.message}`,
      );
    },
  );
  const group = modelJson.weightsManifest[0];
  if (modelJson.weightsManifest.length !== 1 || group === undefined || group.paths.length !== 1) {
    throw new DistilleryError(`${modelJsonPath}: expected one weights file, as Distillery writes`);
  }
  const weights = await readFile(join(source, group.paths[0] as string));
  const expected = expectedWeightBytes(group.weights);
  if (weights.byteLength !== expected) {
    throw new DistilleryError(`${source}: weights.bin holds ${weights.byteLength} bytes, model.json describes ${expected}`);
  }
  const { specs, data } = quantizeWeights(
    group.weights,
    weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    quantization,
  );
  const directory = join(runDirectory, `export-${quantization}`);
  await mkdir(directory, { recursive: true });
  await writeFileAtomic(join(directory, 'weights.bin'), new Uint8Array(data));
  const exported = { ...modelJson, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  await writeFileAtomic(join(directory, 'model.json'), JSON.stringify(exported));
  return { directory, bytesBefore: weights.byteLength, bytesAfter: data.byteLength };
}
