import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type KernelConfig,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { convGeometry } from './convGeometry.js';
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
    const { strides, dilations, pad, dimRoundingMode, filterShape } =
      args.attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      dilations,
      pad,
      dimRoundingMode,
      true,
    );
    const native =
      x.dtype === 'float32' &&
      dy.dtype === 'float32' &&
      info.dilationHeight === 1 &&
      info.dilationWidth === 1 &&
      util.sizeFromShape(x.shape) > 0 &&
      util.sizeFromShape(dy.shape) > 0 &&
      util.sizeFromShape(filterShape) > 0;
    if (!native) return runCpuKernel(DepthwiseConv2dNativeBackpropFilter, args);
    const backend = args.backend as NativeBackend;
    const dw = backend.float32Output(util.sizeFromShape(info.filterShape), false);
    backend.addon.depthwiseConv2dBackpropFilter(float32Values(backend, x), float32Values(backend, dy), dw, ...convGeometry(info));
    return backend.makeTensorInfo(info.filterShape, 'float32', dw);
  },
};
