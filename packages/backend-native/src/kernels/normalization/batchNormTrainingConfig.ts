import { BatchNormTraining, type BatchNormTrainingAttrs } from '@distillery/core/internal';
import { type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';

/**
 * Batch normalisation in training mode in the addon: both moments in one pass over x (in double, chunked so
 * the values do not depend on the thread count), the normalisation in a second. The moments' per-channel
 * arrays are small and not pooled; y's buffer is.
 */
export const batchNormTrainingConfig: KernelConfig = {
  kernelName: BatchNormTraining,
  backendName: 'native',
  kernelFunc: ({ inputs, backend: kernelBackend, attrs }) => {
    const backend = kernelBackend as NativeBackend;
    const { x, scale, offset } = inputs as Record<'x' | 'scale' | 'offset', TensorInfo>;
    const { epsilon } = attrs as unknown as BatchNormTrainingAttrs;
    const channels = x.shape[x.shape.length - 1] ?? 1;
    const y = backend.float32Output(util.sizeFromShape(x.shape), false);
    const mean = new Float32Array(channels);
    const variance = new Float32Array(channels);
    backend.addon.batchNormTrain(
      float32Values(backend, x),
      float32Values(backend, scale),
      float32Values(backend, offset),
      epsilon,
      channels,
      y,
      mean,
      variance,
    );
    return [
      backend.makeTensorInfo(x.shape, 'float32', y),
      backend.makeTensorInfo([channels], 'float32', mean),
      backend.makeTensorInfo([channels], 'float32', variance),
    ];
  },
};
