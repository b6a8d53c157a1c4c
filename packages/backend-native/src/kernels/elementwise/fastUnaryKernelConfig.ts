import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';
import { runCpuKernel } from '../runCpuKernel.js';

/**
 * A float32 unary kernel whose `loop` is written out for its own operation (a tight monomorphic loop,
 * where the cpu kernel calls a shared closure per element), with the cpu kernel's values bit for bit.
 * Other dtypes run the cpu kernel.
 */
export function fastUnaryKernelConfig(
  kernelName: string,
  loop: (x: Float32Array, out: Float32Array, attrs: NamedAttrMap) => void,
): KernelConfig {
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (args) => {
      const { x } = args.inputs as Record<'x', TensorInfo>;
      if (x.dtype !== 'float32') return runCpuKernel(kernelName, args);
      const backend = args.backend as NativeBackend;
      const values = float32Values(backend, x);
      const out = new Float32Array(values.length);
      loop(values, out, args.attrs ?? {});
      return backend.makeTensorInfo(x.shape, 'float32', out);
    },
  };
}
