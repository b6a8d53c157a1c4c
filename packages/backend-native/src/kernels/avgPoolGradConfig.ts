import { AvgPoolGrad, type AvgPoolGradAttrs, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { float32Values } from './float32Values.js';
import { poolGeometry } from './poolGeometry.js';
import { poolInfo } from './poolInfo.js';
import { runCpuKernel } from './runCpuKernel.js';

/** AvgPoolGrad on the addon. */
export const avgPoolGradConfig: KernelConfig = {
  kernelName: AvgPoolGrad,
  backendName: 'native',
  kernelFunc: (args) => {
    const { dy, input } = args.inputs as unknown as Record<'dy' | 'input', TensorInfo>;
    const { filterSize, strides, pad } = args.attrs as unknown as AvgPoolGradAttrs;
    const backend = args.backend as NativeBackend;
    // The cpu kernel computes this geometry without the forward pass's rounding mode; so does this one.
    const info = dy.dtype === 'float32' ? poolInfo(input, filterSize, strides, pad) : undefined;
    if (info === undefined) return runCpuKernel(AvgPoolGrad, args);
    const dx = backend.float32Output(util.sizeFromShape(info.inShape), true);
    backend.addon.avgPoolBackprop(float32Values(backend, dy), dx, ...poolGeometry(info));
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  },
};
