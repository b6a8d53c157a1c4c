import { FusedBatchNorm, type FusedBatchNormAttrs, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';
import { runCpuKernel } from '../runCpuKernel.js';

/**
 * FusedBatchNorm (batch normalisation with given moments, which tfjs-layers' BatchNormalization runs in
 * training and in inference) in the addon, threaded over the rows, when mean, variance, offset and scale
 * each hold one value per channel of the last axis, or one value. The cpu kernel's per-element
 * double-precision formula is kept, so the values are its own bit for bit; other shapes and dtypes run it.
 */
export const fusedBatchNormConfig: KernelConfig = {
  kernelName: FusedBatchNorm,
  backendName: 'native',
  kernelFunc: (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as Record<'x' | 'mean' | 'variance', TensorInfo> &
      Partial<Record<'offset' | 'scale', TensorInfo>>;
    const { varianceEpsilon } = args.attrs as unknown as FusedBatchNormAttrs;
    const channels = x.shape[x.shape.length - 1] ?? 1;
    const fits = (tensor: TensorInfo | undefined) =>
      tensor === undefined || (tensor.dtype === 'float32' && [1, channels].includes(util.sizeFromShape(tensor.shape)));
    const size = util.sizeFromShape(x.shape);
    if (x.dtype !== 'float32' || size === 0 || channels === 0 || ![mean, variance, offset, scale].every(fits)) {
      return runCpuKernel(FusedBatchNorm, args);
    }
    const backend = args.backend as NativeBackend;
    const out = backend.float32Output(size, false);
    const values = (tensor: TensorInfo | undefined) => (tensor === undefined ? null : float32Values(backend, tensor));
    backend.addon.batchNorm(
      float32Values(backend, x),
      float32Values(backend, mean),
      float32Values(backend, variance),
      values(offset),
      values(scale),
      varianceEpsilon ?? 0.001,
      channels,
      out,
    );
    return backend.makeTensorInfo(x.shape, 'float32', out);
  },
};
