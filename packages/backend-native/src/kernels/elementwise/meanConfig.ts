import { backend_util, type KernelConfig, Mean, type MeanAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';
import { runCpuKernel } from '../runCpuKernel.js';
import { leadingAxesReduction } from './leadingAxesReduction.js';

/**
 * Mean over leading axes (batch-norm moments) in one pass. The cpu kernel divides every element by the
 * count, rounds it to float32, then sums; so does this loop, so the values are its own bit for bit.
 * Other reductions run the cpu kernel.
 */
export const meanConfig: KernelConfig = {
  kernelName: Mean,
  backendName: 'native',
  kernelFunc: (args) => {
    const { x } = args.inputs as Record<'x', TensorInfo>;
    const { axis, keepDims } = args.attrs as unknown as MeanAttrs;
    const reduction = x.dtype === 'float32' ? leadingAxesReduction(x.shape, axis) : undefined;
    if (reduction === undefined) return runCpuKernel(Mean, args);
    const { rows, columns, outShape, axes } = reduction;
    const backend = args.backend as NativeBackend;
    const values = float32Values(backend, x);
    const count = Math.fround(rows);
    const sums = new Float64Array(columns);
    for (let offset = 0; offset < rows * columns; offset += columns) {
      for (let column = 0; column < columns; column++) {
        sums[column] = (sums[column] as number) + Math.fround((values[offset + column] as number) / count);
      }
    }
    const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    return backend.makeTensorInfo(shape, 'float32', Float32Array.from(sums));
  },
};
