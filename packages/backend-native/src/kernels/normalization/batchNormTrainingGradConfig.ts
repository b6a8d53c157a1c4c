import { type BatchNormTrainingAttrs, BatchNormTrainingGrad } from '@distillery/core/internal';
import { type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';

/**
 * The gradient of batch normalisation in training mode in the addon: the per-channel sums Σ dy and
 * Σ dy · (x − mean) in one pass, dx in a second; dscale and doffset fall out of the sums.
 */
export const batchNormTrainingGradConfig: KernelConfig = {
  kernelName: BatchNormTrainingGrad,
  backendName: 'native',
  kernelFunc: ({ inputs, backend: kernelBackend, attrs }) => {
    const backend = kernelBackend as NativeBackend;
    const { dy, x, scale, mean, variance } = inputs as Record<'dy' | 'x' | 'scale' | 'mean' | 'variance', TensorInfo>;
    const { epsilon } = attrs as unknown as BatchNormTrainingAttrs;
    const channels = x.shape[x.shape.length - 1] ?? 1;
    const dx = backend.float32Output(util.sizeFromShape(x.shape), false);
    const dScale = new Float32Array(channels);
    const dOffset = new Float32Array(channels);
    backend.addon.batchNormTrainGrad(
      float32Values(backend, dy),
      float32Values(backend, x),
      float32Values(backend, scale),
      float32Values(backend, mean),
      float32Values(backend, variance),
      epsilon,
      channels,
      dx,
      dScale,
      dOffset,
    );
    return [
      backend.makeTensorInfo(x.shape, 'float32', dx),
      backend.makeTensorInfo([channels], 'float32', dScale),
      backend.makeTensorInfo([channels], 'float32', dOffset),
    ];
  },
};
