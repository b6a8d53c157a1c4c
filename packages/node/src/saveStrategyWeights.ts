import { mkdir } from 'node:fs/promises';
import type { Distiller } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from './writeFileAtomic.js';

/**
 * Saves the variables the experiment's strategies own (adapters, regressors) beside the student, as
 * strategy-weights.json (tfjs weight specs) and strategy-weights.bin; {@link loadStrategyWeights} restores
 * them. Nothing is written when there are none. Returns how many variables were saved.
 */
export async function saveStrategyWeights(distiller: Distiller, directory: string): Promise<number> {
  const variables = distiller.strategyVariables();
  if (variables.length === 0) return 0;
  const { data, specs } = await tf.io.encodeWeights(variables.map((variable) => ({ name: variable.name, tensor: variable })));
  await mkdir(directory, { recursive: true });
  await writeFileAtomic(`${directory}/strategy-weights.bin`, new Uint8Array(tf.io.CompositeArrayBuffer.join(data)));
  await writeFileAtomic(`${directory}/strategy-weights.json`, JSON.stringify({ weights: specs }));
  return variables.length;
}
