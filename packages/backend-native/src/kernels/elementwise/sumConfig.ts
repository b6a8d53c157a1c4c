import { backend_util, type KernelConfig, Sum, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';
import { runCpuKernel } from '../runCpuKernel.js';
import { leadingAxesReduction } from './leadingAxesReduction.js';

/**
 * Sum over leading axes (a bias gradient: the sum over the batch) without the transpose the cpu kernel
 * makes first. Each output is summed in the cpu kernel's order, in double precision, so the values are
 * its own bit for bit; other reductions run the cpu kernel.
 */
export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'native',
  kernelFunc: (args) => {
    const { x } = args.inputs as Record<'x', TensorInfo>;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const reduction = x.dtype === 'float32' ? leadingAxesReduction(x.shape, axis) : undefined;
    if (reduction === undefined) return runCpuKernel(Sum, args);
    const { rows, columns, outShape, axes } = reduction;
    const backend = args.backend as NativeBackend;
    const values = float32Values(backend, x);
    const sums = new Float64Array(columns);
    for (let offset = 0; offset < rows * columns; offset += columns) {
      for (let column = 0; column < columns; column++)
        sums[column] = (sums[column] as number) + (values[offset + column] as number);
    }
    const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    return backend.makeTensorInfo(shape, 'float32', Float32Array.from(sums));
  },
};
