import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';

/**
 * The tensor's values as a Float32Array the addon can read in place. A float32 tensor can still hold
 * another array type (a cast from int32 keeps the Int32Array), which is converted here, once.
 */
export function float32Values(backend: NativeBackend, tensor: TensorInfo): Float32Array {
  const values = backend.data.get(tensor.dataId).values;
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}
