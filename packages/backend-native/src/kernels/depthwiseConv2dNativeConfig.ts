import {
  backend_util,
  DepthwiseConv2dNative,
  type DepthwiseConv2dNativeAttrs,
  type KernelConfig,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { convGeometry } from './convGeometry.js';
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
    const { strides, pad, dilations, dimRoundingMode } = args.attrs as unknown as DepthwiseConv2dNativeAttrs;
    const native =
      x.dtype === 'float32' &&
      filter.dtype === 'float32' &&
      util.sizeFromShape(x.shape) > 0 &&
      util.sizeFromShape(filter.shape) > 0 &&
      backend_util.eitherStridesOrDilationsAreOne(strides, dilations ?? [1, 1]);
    if (!native) return runCpuKernel(DepthwiseConv2dNative, args);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      strides,
      dilations ?? [1, 1],
      pad,
      dimRoundingMode,
      true,
    );
    const backend = args.backend as NativeBackend;
    const out = backend.float32Output(util.sizeFromShape(info.outShape), false);
    backend.addon.depthwiseConv2d(float32Values(backend, x), float32Values(backend, filter), out, ...convGeometry(info));
    return backend.makeTensorInfo(info.outShape, 'float32', out);
  },
};
