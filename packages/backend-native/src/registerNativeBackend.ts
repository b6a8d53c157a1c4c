import { installBatchNormTraining } from '@distillery/core/internal';
import * as tf from '@tensorflow/tfjs-core';
import { nativeKernelConfigs } from './kernels/nativeKernelConfigs.js';
import { NativeBackend } from './NativeBackend.js';
import { nativeAddon } from './nativeAddon.js';

/**
 * Between tfjs-node's 'tensorflow' (3) and wasm (2, like webgl) and cpu (1), so that tf.ready() without
 * a setBackend picks 'native' over wasm and cpu but tfjs-node's libtensorflow first.
 */
const nativeBackendPriority = 2.5;

/**
 * Registers the 'native' backend when the addon loaded (importing the package does this): every cpu
 * kernel under 'native', then the addon's kernels in place of the hot ones. Returns whether 'native' is
 * registered; registering twice does nothing.
 */
export function registerNativeBackend(): boolean {
  const { binding } = nativeAddon;
  if (binding === undefined) return false;
  if (tf.findBackendFactory('native') !== null) return true;
  tf.registerBackend('native', () => new NativeBackend(binding), nativeBackendPriority);
  const replaced = new Set(nativeKernelConfigs.map((config) => config.kernelName));
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (!replaced.has(config.kernelName)) tf.registerKernel({ ...config, backendName: 'native' });
  }
  for (const config of nativeKernelConfigs) tf.registerKernel(config);
  installBatchNormTraining();
  return true;
}
