import { type KernelConfig, MaxPool, type MaxPoolAttrs, type MaxPoolInputs, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { float32Values } from './float32Values.js';
import { poolGeometry } from './poolGeometry.js';
import { poolInfo } from './poolInfo.js';
import { runCpuKernel } from './runCpuKernel.js';

/** MaxPool (NHWC) on the addon. */
export const maxPoolConfig: KernelConfig = {
  kernelName: MaxPool,
  backendName: 'native',
  kernelFunc: (args) => {
    const x = (args.inputs as unknown as MaxPoolInputs).x as TensorInfo;
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolAttrs;
    const backend = args.backend as NativeBackend;
    const info = poolInfo(x, filterSize, strides, pad, dimRoundingMode);
    if (info === undefined) return runCpuKernel(MaxPool, args);
    const out = backend.float32Output(util.sizeFromShape(info.outShape), true);
    backend.addon.maxPool(float32Values(backend, x), out, ...poolGeometry(info));
    return backend.makeTensorInfo(info.outShape, 'float32', out);
  },
};
