import { backend_util, type Conv2DAttrs, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { applyEpilogueOnCpuKernels } from './applyEpilogueOnCpuKernels.js';
import { convGeometry } from './convGeometry.js';
import type { Epilogue } from './Epilogue.js';
import { float32Values } from './float32Values.js';
import { nativeEpilogue } from './nativeEpilogue.js';

/**
 * `activation(conv2d(x, filter) + bias)` by the addon, or undefined for what only the cpu kernel
 * computes (NCHW, non-float32 inputs, empty tensors).
 */
export function nativeConv2D(
  backend: NativeBackend,
  x: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DAttrs,
  epilogue?: Epilogue,
): TensorInfo | undefined {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  if (dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  if (x.shape.length !== 4 || filter.shape.length !== 4) return undefined;
  // Validates as the cpu kernel does, with its error messages.
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const outSize = util.sizeFromShape(info.outShape);
  if (outSize === 0 || util.sizeFromShape(x.shape) === 0 || util.sizeFromShape(filter.shape) === 0) return undefined;

  const fused = nativeEpilogue(backend, epilogue, info.outChannels);
  const { bias, activation, alpha, preluAlpha } = fused ?? { bias: null, activation: 0, alpha: 0, preluAlpha: null };
  const out = backend.float32Output(outSize, true);
  backend.addon.conv2d(
    float32Values(backend, x),
    float32Values(backend, filter),
    out,
    ...convGeometry(info),
    bias,
    activation,
    alpha,
    preluAlpha,
  );
  const product = backend.makeTensorInfo(info.outShape, 'float32', out);
  return fused === undefined && epilogue !== undefined ? applyEpilogueOnCpuKernels(backend, product, epilogue) : product;
}
