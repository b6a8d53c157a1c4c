import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { convGeometry } from './convGeometry.js';
import { float32Values } from './float32Values.js';
import { runCpuKernel } from './runCpuKernel.js';

/** Conv2DBackpropInput (the input gradient of Conv2D, and conv2dTranspose) on the addon. */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'native',
  kernelFunc: (args) => {
    const { dy, filter } = args.inputs as unknown as Record<'dy' | 'filter', TensorInfo>;
    const { inputShape, strides, pad, dataFormat, dimRoundingMode } = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const backend = args.backend as NativeBackend;
    const native =
      dataFormat !== 'NCHW' &&
      dy.dtype === 'float32' &&
      filter.dtype === 'float32' &&
      util.sizeFromShape(dy.shape) > 0 &&
      util.sizeFromShape(filter.shape) > 0 &&
      util.sizeFromShape(inputShape) > 0;
    if (!native) return runCpuKernel(Conv2DBackpropInput, args);
    const info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const dx = backend.float32Output(util.sizeFromShape(info.inShape), true);
    backend.addon.conv2dBackpropInput(float32Values(backend, dy), float32Values(backend, filter), dx, ...convGeometry(info));
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  },
};
