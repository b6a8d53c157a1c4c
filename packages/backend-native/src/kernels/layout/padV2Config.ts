import { type KernelConfig, PadV2, type PadV2Attrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { runCpuKernel } from '../runCpuKernel.js';
import { copyBox } from './copyBox.js';
import { layoutOutput } from './layoutOutput.js';
import { layoutValues } from './layoutValues.js';

/**
 * Constant padding as a fill and one box copy: the gradient of every slice (ShuffleNetV2's channel split) and
 * zero-padding before convolutions written with tf.pad. The cpu kernel maps each element's index to the output's
 * one by one; the values are the same.
 */
export const padV2Config: KernelConfig = {
  kernelName: PadV2,
  backendName: 'native',
  kernelFunc: (args) => {
    const { x } = args.inputs as Record<'x', TensorInfo>;
    const { paddings, constantValue } = args.attrs as unknown as PadV2Attrs;
    const backend = args.backend as NativeBackend;
    const values = layoutValues(backend, x);
    if (values === undefined) return runCpuKernel(PadV2, args);
    const outShape = x.shape.map((extent, axis) => (paddings[axis]?.[0] ?? 0) + extent + (paddings[axis]?.[1] ?? 0));
    const length = outShape.reduce((product, extent) => product * extent, 1);
    const out = layoutOutput(backend, x.dtype, length, constantValue === 0);
    if (constantValue !== 0) out.fill(constantValue);
    const begin = x.shape.map((_, axis) => paddings[axis]?.[0] ?? 0);
    copyBox(values, x.shape, new Array<number>(x.shape.length).fill(0), out, outShape, begin, x.shape);
    return backend.makeTensorInfo(outShape, x.dtype, out);
  },
};
