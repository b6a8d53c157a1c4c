import { backend_util, type KernelConfig, SplitV, type SplitVAttrs, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { runCpuKernel } from '../runCpuKernel.js';
import { layoutValues } from './layoutValues.js';
import { sliceValues } from './sliceValues.js';

/**
 * SplitV as one slice per piece (sliceValues): the forward pass of `tf.split` (ReviewKD's attention weights, a
 * channel split of every fusion step) and the gradient of every concatenation. The cpu kernel's slices computed each
 * element's location one by one, 4.6 s of a 5.6 s ReviewKD step at batch 32.
 */
export const splitVConfig: KernelConfig = {
  kernelName: SplitV,
  backendName: 'native',
  kernelFunc: (args) => {
    const { x } = args.inputs as Record<'x', TensorInfo>;
    const { numOrSizeSplits, axis } = args.attrs as unknown as SplitVAttrs;
    const backend = args.backend as NativeBackend;
    const values = layoutValues(backend, x);
    if (values === undefined) return runCpuKernel(SplitV, args);
    const splitAxis = util.parseAxisParam(axis, x.shape)[0] as number;
    const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, splitAxis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((extent) => {
      const size = [...x.shape];
      size[splitAxis] = extent;
      const piece = sliceValues(backend, x, values, begin, size);
      begin[splitAxis] = (begin[splitAxis] as number) + extent;
      return piece;
    });
  },
};
