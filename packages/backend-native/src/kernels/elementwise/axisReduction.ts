import { util } from '@tensorflow/tfjs-core';

/** A reduction seen as `rows` × `columns`: over the rows (leading axes reduced) or over the columns (trailing). */
export interface AxisReduction {
  readonly rows: number;
  readonly columns: number;
  /** True when the leading axes are reduced and each column keeps its sum; false when each row does. */
  readonly overRows: boolean;
  readonly outShape: number[];
  /** The reduced axes, sorted. */
  readonly axes: number[];
}

/**
 * The geometry of a reduction over leading axes (the batch, or batch and space: bias gradients, batch-norm
 * moments) or over trailing axes (per-example sums, softmax's denominators, a reduction over every axis),
 * which need no transpose; undefined for axes in the middle.
 */
export function axisReduction(shape: number[], axis: number | number[]): AxisReduction | undefined {
  const axes = util.parseAxisParam(axis, shape).sort((a, b) => a - b);
  if (axes.length === 0) return undefined;
  const leading = axes.every((reduced, i) => reduced === i);
  const trailing = axes.every((reduced, i) => reduced === shape.length - axes.length + i);
  if (trailing) {
    const outShape = shape.slice(0, shape.length - axes.length);
    return {
      rows: util.sizeFromShape(outShape),
      columns: util.sizeFromShape(shape.slice(outShape.length)),
      overRows: false,
      outShape,
      axes,
    };
  }
  if (!leading) return undefined;
  const outShape = shape.slice(axes.length);
  return {
    rows: util.sizeFromShape(shape.slice(0, axes.length)),
    columns: util.sizeFromShape(outShape),
    overRows: true,
    outShape,
    axes,
  };
}
