import { backend_util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';
import { runCpuKernel } from '../runCpuKernel.js';
import { axisReduction } from './axisReduction.js';

/**
 * Sum or Mean over neighbouring axes (leading, middle or trailing) in the addon's `reduce`, without the
 * transpose the cpu kernel makes first. Each output is summed in the cpu kernel's order in double precision (a mean divides each
 * element by the count and rounds it to float32 first, as the cpu kernel does), so the values are its own
 * bit for bit; axes that are not neighbours, and other dtypes, run the cpu kernel.
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
      const { outer, rows, columns, overRows, outShape, axes } = reduction;
      const backend = args.backend as NativeBackend;
      const sliceOut = overRows ? columns : rows;
      const out = backend.float32Output(outer * sliceOut, false);
      const divisor = kernelName === 'Mean' ? Math.fround(overRows ? rows : columns) : 0;
      const values = float32Values(backend, x);
      // Middle axes: one rows × columns slice per index of the axes before them (views, no copies).
      for (let slice = 0; slice < outer; slice++) {
        const input = outer === 1 ? values : values.subarray(slice * rows * columns, (slice + 1) * rows * columns);
        const output = outer === 1 ? out : out.subarray(slice * sliceOut, (slice + 1) * sliceOut);
        backend.addon.reduce(input, rows, columns, output, overRows, divisor);
      }
      const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
      return backend.makeTensorInfo(shape, 'float32', out);
    },
  };
}
