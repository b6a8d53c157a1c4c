import {
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
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
 * DepthwiseConv2dNativeBackpropFilter (the filter gradient of a depthwise convolution: MobileNet-style
 * students) on the addon, for NHWC float32 with dilation 1; the cpu kernel's values bit for bit. Other cases
 * run the cpu kernel.
 */
export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'native',
  kernelFunc: (args) => {
    const { x, dy } = args.inputs as unknown as Record<'x' | 'dy', TensorInfo>;
    const attrs = args.attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
    const info = depthwiseConvInfo(x.shape, attrs.filterShape, attrs, [x, dy], true);
    if (info === undefined) return runCpuKernel(DepthwiseConv2dNativeBackpropFilter, args);
    const backend = args.backend as NativeBackend;
    const dw = backend.float32Output(util.sizeFromShape(info.filterShape), false);
    backend.addon.depthwiseConv2dBackpropFilter(float32Values(backend, x), float32Values(backend, dy), dw, ...convGeometry(info));
    return backend.makeTensorInfo(info.filterShape, 'float32', dw);
  },
};
