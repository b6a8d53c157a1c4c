import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadBackends } from './loadBackends.js';

describe('loadBackends', () => {
  it('registers wasm and cpu, and every optional backend it reports', async () => {
    const optional = await loadBackends();
    for (const name of [...optional, 'wasm', 'cpu']) expect(tf.findBackendFactory(name)).not.toBeNull();
  });

  it('reports an optional backend only when its package is installed', async () => {
    const optional = await loadBackends();
    const installed = await import(/* @vite-ignore */ '@tensorflow/tfjs-node' as string).then(
      () => true,
      () => false,
    );
    expect(optional.includes('tensorflow')).toBe(installed);
  });
});
