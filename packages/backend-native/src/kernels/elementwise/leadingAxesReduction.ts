import { util } from '@tensorflow/tfjs-core';

/**
 * The geometry of a reduction over leading axes only (the batch, or batch and space: bias gradients,
 * batch-norm moments), seen as `rows` × `columns` with the columns kept; undefined for any other axes,
 * and for a reduction over every axis, which the cpu kernel does without a transpose.
 */
export function leadingAxesReduction(
  shape: number[],
  axis: number | number[],
): { rows: number; columns: number; outShape: number[]; axes: number[] } | undefined {
  const axes = util.parseAxisParam(axis, shape).sort((a, b) => a - b);
  if (axes.length === 0 || axes.length === shape.length || !axes.every((reduced, i) => reduced === i)) return undefined;
  const outShape = shape.slice(axes.length);
  return { rows: util.sizeFromShape(shape.slice(0, axes.length)), columns: util.sizeFromShape(outShape), outShape, axes };
}
