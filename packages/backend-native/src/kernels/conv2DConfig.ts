import { Conv2D, type Conv2DAttrs, type Conv2DInputs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { nativeConv2D } from './nativeConv2D.js';
import { runCpuKernel } from './runCpuKernel.js';

/** Conv2D (NHWC) on the addon. */
export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'native',
  kernelFunc: (args) => {
    const { x, filter } = args.inputs as unknown as Conv2DInputs;
    const backend = args.backend as NativeBackend;
    return (
      nativeConv2D(backend, x as TensorInfo, filter as TensorInfo, args.attrs as unknown as Conv2DAttrs) ??
      runCpuKernel(Conv2D, args)
    );
  },
};
