import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';

/**
 * The values of a float32 or int32 tensor for the layout kernels (copies never change a value, so both types go
 * the same way), or undefined for the dtypes they leave to the cpu kernels (bool, string, complex64).
 */
export function layoutValues(backend: NativeBackend, tensor: TensorInfo): Float32Array | Int32Array | undefined {
  const values = backend.data.get(tensor.dataId).values;
  if (tensor.dtype === 'float32') return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  if (tensor.dtype === 'int32' && values instanceof Int32Array) return values;
  return undefined;
}
