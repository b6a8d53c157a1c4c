import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';
import { runCpuKernel } from '../runCpuKernel.js';

/**
 * A float32 unary kernel whose `loop` is written out for its own operation (a tight monomorphic loop,
 * where the cpu kernel calls a shared closure per element), with the cpu kernel's values bit for bit.
 * Other dtypes run the cpu kernel. With `nativeOp` (an op code of the addon's `unary`), the addon computes
 * it instead (vectorised, threaded for large sizes, the same values); `nativeAlpha` gives its `alpha`.
 */
export function fastUnaryKernelConfig(
  kernelName: string,
  loop: (x: Float32Array, out: Float32Array, attrs: NamedAttrMap) => void,
  nativeOp?: number,
  nativeAlpha: (attrs: NamedAttrMap) => number = () => 0,
): KernelConfig {
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (args) => {
      const { x } = args.inputs as Record<'x', TensorInfo>;
      if (x.dtype !== 'float32') return runCpuKernel(kernelName, args);
      const backend = args.backend as NativeBackend;
      const values = float32Values(backend, x);
      const attrs = args.attrs ?? {};
      const out = backend.float32Output(values.length, false);
      if (nativeOp !== undefined) {
        backend.addon.unary(nativeOp, values, out, nativeAlpha(attrs));
      } else {
        loop(values, out, attrs);
      }
      return backend.makeTensorInfo(x.shape, 'float32', out);
    },
  };
}
