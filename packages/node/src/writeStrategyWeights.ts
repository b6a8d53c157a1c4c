import { join } from 'node:path';
import type { StateTensor } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from './writeFileAtomic.js';

/**
 * A stage's strategy variables by local name as `stage-strategy-weights.json` (tfjs weight specs) and `.bin`
 * ({@link readStrategyWeights} reads them back). Named apart from the CLI's `strategy-weights.*`, which hold a
 * saved student's adapters by registered name.
 */
export async function writeStrategyWeights(directory: string, weights: Readonly<Record<string, StateTensor>>): Promise<void> {
  const named = Object.entries(weights).map(([name, value]) => ({
    name,
    tensor: tf.tensor(value.values, [...value.shape], value.dtype),
  }));
  try {
    const { data, specs } = await tf.io.encodeWeights(named);
    await writeFileAtomic(join(directory, 'stage-strategy-weights.bin'), new Uint8Array(tf.io.CompositeArrayBuffer.join(data)));
    await writeFileAtomic(join(directory, 'stage-strategy-weights.json'), JSON.stringify({ weights: specs }));
  } finally {
    for (const { tensor } of named) tensor.dispose();
  }
}
