import type { DataType } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';

/** An output buffer of `length` for a layout kernel: float32 from the backend's pool, int32 fresh. */
export function layoutOutput(
  backend: NativeBackend,
  dtype: DataType,
  length: number,
  zeroed: boolean,
): Float32Array | Int32Array {
  return dtype === 'float32' ? backend.float32Output(length, zeroed) : new Int32Array(length);
}
