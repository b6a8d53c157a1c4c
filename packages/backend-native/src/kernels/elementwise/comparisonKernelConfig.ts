import { backend_util, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';
import { runCpuKernel } from '../runCpuKernel.js';
import { broadcastArguments } from './broadcastGeometry.js';

/** The op codes of the addon's `compareBroadcast`. */
export const nativeCompareOp = { greater: 0, greaterEqual: 1, less: 2, lessEqual: 3, equal: 4, notEqual: 5 } as const;

/**
 * A comparison of float32 tensors in the addon's `compareBroadcast`, for every broadcast (the masks of
 * gradients: Minimum's and Maximum's, ReLU6's, clipping's): a bool tensor of 1s and 0s, as the cpu kernel
 * gives. Other dtypes, and broadcasts of more than six axes after merging, run the cpu kernel.
 */
export function comparisonKernelConfig(kernelName: string, op: number): KernelConfig {
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as Record<'a' | 'b', TensorInfo>;
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return runCpuKernel(kernelName, args);
      const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const geometry = broadcastArguments(a.shape, b.shape, shape);
      if (geometry === undefined) return runCpuKernel(kernelName, args);
      const backend = args.backend as NativeBackend;
      const out = new Uint8Array(util.sizeFromShape(shape));
      backend.addon.compareBroadcast(op, float32Values(backend, a), float32Values(backend, b), out, ...geometry);
      return backend.makeTensorInfo(shape, 'bool', out);
    },
  };
}
