import { type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { float32Values } from './float32Values.js';

/**
 * The `channels` values of a bias or PReLU weight that broadcasts along the last axis only ([C], [1, C],
 * a scalar …), as the addon takes them; undefined for any other shape, which the caller then adds on
 * the cpu kernels.
 */
export function perChannelValues(backend: NativeBackend, tensor: TensorInfo, channels: number): Float32Array | undefined {
  if (tensor.dtype !== 'float32') return undefined;
  const size = util.sizeFromShape(tensor.shape);
  const values = float32Values(backend, tensor);
  if (size === 1) return new Float32Array(channels).fill(values[0] as number);
  const lastAxisOnly = size === channels && tensor.shape[tensor.shape.length - 1] === channels;
  return lastAxisOnly ? values : undefined;
}
