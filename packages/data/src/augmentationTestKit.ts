import * as tf from '@tensorflow/tfjs-core';
import type { Augmentation } from './Augmentation.js';
import type { RandomSource } from './RandomSource.js';

// Helpers the augmentation specs share; test-only (tsconfig.build.json leaves *TestKit.ts out of dist).

/** A "random" source that returns the given numbers in turn, counting the draws. */
export function scripted(...values: number[]): RandomSource & { draws: number } {
  const source = Object.assign(() => values[source.draws++ % values.length] as number, { draws: 0 });
  return source;
}

export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** The augmentation on tensors and on values, from the same batch and the same draws. */
export function bothWays(
  augmentation: Augmentation,
  batch: number[][][][],
  draws: () => RandomSource,
): [number[][][][], number[][][][]] {
  const input = tf.tensor4d(batch);
  const viaTensors = tf.tidy(() => augmentation.apply(input, draws()));
  const tensorResult = viaTensors.arraySync() as number[][][][];
  const values = augmentation.applyToValues?.(input.dataSync() as Float32Array, input.shape, draws()) as Float32Array;
  const valuesResult = tf.tidy(() => tf.tensor(values, input.shape).arraySync() as number[][][][]);
  tf.dispose([input, viaTensors]);
  return [tensorResult, valuesResult];
}
