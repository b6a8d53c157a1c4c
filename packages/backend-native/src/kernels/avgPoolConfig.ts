import { AvgPool, type AvgPoolAttrs, type AvgPoolInputs, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { float32Values } from './float32Values.js';
import { poolGeometry } from './poolGeometry.js';
import { poolInfo } from './poolInfo.js';
import { runCpuKernel } from './runCpuKernel.js';

/** AvgPool (NHWC) on the addon: each window averages the input pixels it covers, padding excluded, as on the cpu backend. */
export const avgPoolConfig: KernelConfig = {
  kernelName: AvgPool,
  backendName: 'native',
  kernelFunc: (args) => {
    const x = (args.inputs as unknown as AvgPoolInputs).x as TensorInfo;
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as AvgPoolAttrs;
    const backend = args.backend as NativeBackend;
    const info = poolInfo(x, filterSize, strides, pad, dimRoundingMode);
    if (info === undefined) return runCpuKernel(AvgPool, args);
    const out = backend.float32Output(util.sizeFromShape(info.outShape), true);
    backend.addon.avgPool(float32Values(backend, x), out, ...poolGeometry(info));
    return backend.makeTensorInfo(info.outShape, 'float32', out);
  },
};
