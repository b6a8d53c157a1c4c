import { backend_util, type TensorInfo, util } from '@tensorflow/tfjs-core';

/**
 * The pooling geometry of `x` as the cpu kernels compute it (dilation 1, NHWC), or undefined when the
 * cpu kernel should run instead: non-float32 input, empty tensors, or a 1×1 window that leaves the
 * input as it is (the cpu kernel returns it without copying).
 */
export function poolInfo(
  x: TensorInfo,
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): backend_util.Conv2DInfo | undefined {
  if (x.dtype !== 'float32' || x.shape.length !== 4 || util.sizeFromShape(x.shape) === 0) return undefined;
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const unchanged = info.filterHeight === 1 && info.filterWidth === 1 && util.arraysEqual(info.inShape, info.outShape);
  return unchanged || util.sizeFromShape(info.outShape) === 0 ? undefined : info;
}
