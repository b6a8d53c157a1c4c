import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

/** Optional backend packages, fastest first; each registers itself with tfjs when imported. */
const optionalBackends = [
  { backend: 'tensorflow', module: '@tensorflow/tfjs-node' },
  { backend: 'native', module: '@distillery/backend-native' },
] as const;

/**
 * Registers every tfjs backend installed here so the core's `auto` can choose among them:
 * tfjs-node (libtensorflow) and Distillery's native backend when their packages are installed
 * and load, then wasm and cpu, which always are. Then it initialises the highest-priority one, so
 * models can be built at once; the experiment's own choice comes later, in `Distiller.fit`.
 * Returns the names of the optional backends that loaded.
 */
export async function loadBackends(): Promise<string[]> {
  const loaded: string[] = [];
  for (const { backend, module } of optionalBackends) {
    try {
      await import(/* @vite-ignore */ module as string);
      // A package can be installed without its backend: the native one registers only when its addon built.
      if (tf.findBackendFactory(backend) !== null) loaded.push(backend);
    } catch {
      // Not installed, or its binary failed to load: `auto` falls back to the next backend.
    }
  }
  await tf.ready();
  return loaded;
}
