import { backend_util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';
import { runCpuKernel } from '../runCpuKernel.js';
import { axisReduction } from './axisReduction.js';

/**
 * Sum or Mean over leading or trailing axes in the addon's `reduce`, without the transpose the cpu kernel
 * makes first. Each output is summed in the cpu kernel's order in double precision (a mean divides each
 * element by the count and rounds it to float32 first, as the cpu kernel does), so the values are its own
 * bit for bit; axes in the middle and other dtypes run the cpu kernel.
 */
export function nativeReductionConfig(kernelName: 'Sum' | 'Mean'): KernelConfig {
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (args) => {
      const { x } = args.inputs as Record<'x', TensorInfo>;
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const reduction = x.dtype === 'float32' ? axisReduction(x.shape, axis) : undefined;
      if (reduction === undefined) return runCpuKernel(kernelName, args);
      const { rows, columns, overRows, outShape, axes } = reduction;
      const backend = args.backend as NativeBackend;
      const out = backend.float32Output(overRows ? columns : rows, false);
      const divisor = kernelName === 'Mean' ? Math.fround(overRows ? rows : columns) : 0;
      backend.addon.reduce(float32Values(backend, x), rows, columns, out, overRows, divisor);
      const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
      return backend.makeTensorInfo(shape, 'float32', out);
    },
  };
}
