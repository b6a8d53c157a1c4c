import { backend_util, type TensorInfo, util } from '@tensorflow/tfjs-core';

/**
 * The geometry of a depthwise convolution (or one of its gradients) when the addon takes it: float32 operands,
 * nothing empty, and dilation 1 for the gradients (the forward pass takes any dilation when the strides are 1,
 * as tfjs requires). Undefined sends the kernel to the cpu backend.
 */
export function depthwiseConvInfo(
  inputShape: number[],
  filterShape: number[],
  attrs: {
    strides: number | [number, number];
    dilations?: number | [number, number];
    pad: backend_util.ExplicitPadding | 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  },
  operands: readonly TensorInfo[],
  gradient: boolean,
): backend_util.Conv2DInfo | undefined {
  const dilations = attrs.dilations ?? [1, 1];
  const usable =
    operands.every((operand) => operand.dtype === 'float32' && util.sizeFromShape(operand.shape) > 0) &&
    util.sizeFromShape(inputShape) > 0 &&
    util.sizeFromShape(filterShape) > 0 &&
    backend_util.eitherStridesOrDilationsAreOne(attrs.strides, dilations);
  if (!usable) return undefined;
  const info = backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  return gradient && (info.dilationHeight !== 1 || info.dilationWidth !== 1) ? undefined : info;
}
