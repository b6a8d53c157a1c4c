import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { convGeometry } from './convGeometry.js';
import { float32Values } from './float32Values.js';
import { runCpuKernel } from './runCpuKernel.js';

/** Conv2DBackpropFilter (the filter gradient of Conv2D) on the addon. */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'native',
  kernelFunc: (args) => {
    const { x, dy } = args.inputs as unknown as Record<'x' | 'dy', TensorInfo>;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    const backend = args.backend as NativeBackend;
    const native =
      dataFormat !== 'NCHW' &&
      x.dtype === 'float32' &&
      dy.dtype === 'float32' &&
      util.sizeFromShape(x.shape) > 0 &&
      util.sizeFromShape(dy.shape) > 0 &&
      util.sizeFromShape(filterShape) > 0;
    if (!native) return runCpuKernel(Conv2DBackpropFilter, args);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const dw = backend.float32Output(util.sizeFromShape(info.filterShape), true);
    backend.addon.conv2dBackpropFilter(float32Values(backend, x), float32Values(backend, dy), dw, ...convGeometry(info));
    return backend.makeTensorInfo(info.filterShape, 'float32', dw);
  },
};
