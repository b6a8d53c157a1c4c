import { backend_util, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';
import { runCpuKernel } from '../runCpuKernel.js';
import { broadcastArguments } from './broadcastGeometry.js';

/**
 * A float32 binary kernel in the addon, for every broadcast tfjs allows: operands of one size and scalars
 * through `binary`, anything else through `binaryBroadcast` over the merged geometry (vectorised along the
 * last axis, threaded over the others for large outputs). Every value is the cpu kernel's, bit for bit;
 * other dtypes, and broadcasts of more than six axes that do not merge, run the cpu kernel.
 *
 * @param op the addon's `binaryBroadcast` op code (0 add, 1 sub, 2 mul, 3 div, 4 squared difference, 5 max,
 *   6 min); the first four are also `binary`'s codes.
 */
export function fastBinaryKernelConfig(kernelName: string, op: number): KernelConfig {
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as Record<'a' | 'b', TensorInfo>;
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return runCpuKernel(kernelName, args);
      const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const size = util.sizeFromShape(shape);
      const aSize = util.sizeFromShape(a.shape);
      const bSize = util.sizeFromShape(b.shape);
      const sameOrScalar = op <= 3 && (aSize === size || aSize === 1) && (bSize === size || bSize === 1);
      const geometry = sameOrScalar ? undefined : broadcastArguments(a.shape, b.shape, shape);
      if (!sameOrScalar && geometry === undefined) return runCpuKernel(kernelName, args);
      const backend = args.backend as NativeBackend;
      // Every element is written: `binary` and `binaryBroadcast` cover the whole output.
      const out = backend.float32Output(size, false);
      const [aValues, bValues] = [float32Values(backend, a), float32Values(backend, b)];
      if (geometry === undefined) backend.addon.binary(op, aValues, bValues, out);
      else backend.addon.binaryBroadcast(op, aValues, bValues, out, ...geometry);
      return backend.makeTensorInfo(shape, 'float32', out);
    },
  };
}
