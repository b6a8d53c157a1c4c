import { type KernelConfig, Slice, type SliceAttrs, slice_util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { runCpuKernel } from '../runCpuKernel.js';
import { layoutValues } from './layoutValues.js';
import { sliceValues } from './sliceValues.js';

/**
 * Slice as run copies (copyBox): the forward pass of channel splits (ShuffleNetV2's ChannelSlice) and the gradient
 * of every concatenation. The values are copies, so they are the cpu kernel's exactly; bool and string tensors go
 * to it.
 */
export const sliceConfig: KernelConfig = {
  kernelName: Slice,
  backendName: 'native',
  kernelFunc: (args) => {
    const { x } = args.inputs as Record<'x', TensorInfo>;
    const { begin, size } = args.attrs as unknown as SliceAttrs;
    const backend = args.backend as NativeBackend;
    const values = layoutValues(backend, x);
    if (values === undefined) return runCpuKernel(Slice, args);
    const [boxBegin, boxSize] = slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
    slice_util.assertParamsValid(x, boxBegin, boxSize);
    return sliceValues(backend, x, values, boxBegin, boxSize);
  },
};
