import {
  DepthwiseConv2dNative,
  type DepthwiseConv2dNativeAttrs,
  type KernelConfig,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { convGeometry } from './convGeometry.js';
import { depthwiseConvInfo } from './depthwiseConvInfo.js';
import { float32Values } from './float32Values.js';
import { runCpuKernel } from './runCpuKernel.js';

/**
 * DepthwiseConv2dNative (MobileNet-style students' 3×3 per-channel convolutions) on the addon for NHWC float32,
 * any stride, dilation and padding; the cpu kernel's values bit for bit. Other cases run the cpu kernel.
 */
export const depthwiseConv2dNativeConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNative,
  backendName: 'native',
  kernelFunc: (args) => {
    const { x, filter } = args.inputs as unknown as Record<'x' | 'filter', TensorInfo>;
    const attrs = args.attrs as unknown as DepthwiseConv2dNativeAttrs;
    const info = depthwiseConvInfo(x.shape, filter.shape, attrs, [x, filter], false);
    if (info === undefined) return runCpuKernel(DepthwiseConv2dNative, args);
    const backend = args.backend as NativeBackend;
    const out = backend.float32Output(util.sizeFromShape(info.outShape), false);
    backend.addon.depthwiseConv2d(float32Values(backend, x), float32Values(backend, filter), out, ...convGeometry(info));
    return backend.makeTensorInfo(info.outShape, 'float32', out);
  },
};
