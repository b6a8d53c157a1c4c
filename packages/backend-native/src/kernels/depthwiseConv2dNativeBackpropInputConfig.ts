import {
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
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
 * DepthwiseConv2dNativeBackpropInput (the input gradient of a depthwise convolution) on the addon for NHWC
 * float32 with dilation 1; the cpu kernel's values bit for bit. Other cases run the cpu kernel.
 */
export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'native',
  kernelFunc: (args) => {
    const { dy, filter } = args.inputs as unknown as Record<'dy' | 'filter', TensorInfo>;
    const attrs = args.attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
    const info = depthwiseConvInfo(attrs.inputShape, filter.shape, attrs, [dy, filter], true);
    if (info === undefined) return runCpuKernel(DepthwiseConv2dNativeBackpropInput, args);
    const backend = args.backend as NativeBackend;
    const dx = backend.float32Output(util.sizeFromShape(info.inShape), false);
    backend.addon.depthwiseConv2dBackpropInput(
      float32Values(backend, dy),
      float32Values(backend, filter),
      dx,
      ...convGeometry(info),
    );
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  },
};
