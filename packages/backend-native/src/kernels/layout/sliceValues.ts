import { slice_util, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { copyBox } from './copyBox.js';
import { layoutOutput } from './layoutOutput.js';

/**
 * The box `size` at `begin` of `x` (float32 or int32, parameters already checked) as a new tensor. A contiguous box
 * is a view of x's memory, as the cpu kernel makes it (the backend counts views as holders of a pooled buffer);
 * any other is copied run by run.
 */
export function sliceValues(
  backend: NativeBackend,
  x: TensorInfo,
  values: Float32Array | Int32Array,
  begin: readonly number[],
  size: readonly number[],
): TensorInfo {
  const length = util.sizeFromShape([...size]);
  if (slice_util.isSliceContinous(x.shape, [...begin], [...size])) {
    const offset = slice_util.computeFlatOffset([...begin], util.computeStrides(x.shape));
    return backend.makeTensorInfo([...size], x.dtype, values.subarray(offset, offset + length));
  }
  const out = layoutOutput(backend, x.dtype, length, false);
  copyBox(values, x.shape, begin, out, size, new Array<number>(size.length).fill(0), size);
  return backend.makeTensorInfo([...size], x.dtype, out);
}
