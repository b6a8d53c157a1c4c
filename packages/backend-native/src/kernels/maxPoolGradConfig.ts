import { type KernelConfig, MaxPoolGrad, type MaxPoolGradAttrs, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { float32Values } from './float32Values.js';
import { poolGeometry } from './poolGeometry.js';
import { poolInfo } from './poolInfo.js';
import { runCpuKernel } from './runCpuKernel.js';

/** MaxPoolGrad on the addon: each output gradient goes to its window's first maximum, as on the cpu backend. */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'native',
  kernelFunc: (args) => {
    const { dy, input } = args.inputs as unknown as Record<'dy' | 'input', TensorInfo>;
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
    const backend = args.backend as NativeBackend;
    const info = dy.dtype === 'float32' ? poolInfo(input, filterSize, strides, pad, dimRoundingMode) : undefined;
    if (info === undefined) return runCpuKernel(MaxPoolGrad, args);
    const dx = backend.float32Output(util.sizeFromShape(info.inShape), true);
    backend.addon.maxPoolBackprop(float32Values(backend, dy), float32Values(backend, input), dx, ...poolGeometry(info));
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  },
};
