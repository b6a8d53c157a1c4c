import { readFile } from 'node:fs/promises';
import { type Distiller, DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Restores the strategies' variables saved by {@link saveStrategyWeights} into an experiment built the
 * same way (same strategies in the same order, same tapped shapes). Variables match by position, in
 * `strategyVariables()` order, not by name: the kernel names each `<term name>/<local>`
 * (`feature.hint/pairs[0]/kernel`), but numbers it `#2`, `#3`… while another live variable holds that
 * name (say, a second experiment in the same process), so the names saved need not be the ones this
 * experiment's variables got; they only label the errors. Checks the count and every shape before
 * assigning any, so a mismatch changes nothing. Returns how many variables were restored.
 */
export async function loadStrategyWeights(distiller: Distiller, directory: string): Promise<number> {
  const variables = distiller.strategyVariables();
  const manifestPath = `${directory}/strategy-weights.json`;
  const dataPath = `${directory}/strategy-weights.bin`;
  let manifest: { weights?: tf.io.WeightsManifestEntry[] };
  let data: Buffer;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    data = await readFile(dataPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'not found' : `unreadable (${(error as Error).message})`;
    throw new DistilleryError(`strategy weights in ${directory}: ${what}`);
  }
  const specs = manifest.weights ?? [];
  let tensors: tf.NamedTensorMap;
  try {
    tensors = tf.io.decodeWeights(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer, specs);
  } catch (error) {
    throw new DistilleryError(`${dataPath}: does not match ${manifestPath} (${(error as Error).message})`);
  }
  try {
    const saved = specs.map((spec) => tensors[spec.name] as tf.Tensor);
    const problems: string[] = [];
    if (specs.length !== variables.length)
      problems.push(`the file holds ${specs.length} variables, the experiment ${variables.length}`);
    variables.forEach((variable, i) => {
      const tensor = saved[i];
      if (tensor !== undefined && !tf.util.arraysEqual(tensor.shape, variable.shape)) {
        problems.push(
          `variable ${i} ('${specs[i]?.name}') has shape [${tensor.shape.join(', ')}], expected [${variable.shape.join(', ')}]`,
        );
      }
    });
    if (problems.length > 0) throw new DistilleryError(`${manifestPath}: ${problems.join('; ')}`);
    variables.forEach((variable, i) => {
      variable.assign(saved[i] as tf.Tensor);
    });
    return variables.length;
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
