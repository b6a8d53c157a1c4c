import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` and throws if it left more tensors alive than it found. Works with any test runner.
 * `warmUp` runs `fn` once first, uncounted, for code that legitimately allocates once (optimizer
 * slots, lazily built adapters). A tensor that `fn` returns counts as a leak, so return plain values.
 */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>, options: { warmUp?: boolean } = {}): Promise<T> {
  if (options.warmUp === true) await fn();
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new Error(
      `expected no tensor leak, but ${after - before} tensor(s) outlived the call (${before} before, ${after} after)`,
    );
  }
  return result;
}
