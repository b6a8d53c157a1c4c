import { util } from '@tensorflow/tfjs-core';

/**
 * A reduction over one block of neighbouring axes, seen as `outer` slices of `rows` × `columns`: over the
 * rows (each column keeps its sum: leading or middle axes reduced) or over the columns (trailing axes).
 */
export interface AxisReduction {
  readonly outer: number;
  readonly rows: number;
  readonly columns: number;
  readonly overRows: boolean;
  readonly outShape: number[];
  /** The reduced axes, sorted. */
  readonly axes: number[];
}

/**
 * The geometry of a reduction over neighbouring axes, which needs no transpose: leading ones (the batch, or
 * batch and space: bias gradients, batch-norm moments), middle ones (global average pooling over H and W of
 * NHWC) or trailing ones (per-example sums, softmax's denominators, every axis). Undefined for axes that are
 * not neighbours.
 */
export function axisReduction(shape: number[], axis: number | number[]): AxisReduction | undefined {
  const axes = util.parseAxisParam(axis, shape).sort((a, b) => a - b);
  const first = axes[0];
  if (first === undefined || !axes.every((reduced, i) => reduced === first + i)) return undefined;
  const end = first + axes.length;
  const outShape = [...shape.slice(0, first), ...shape.slice(end)];
  const outer = util.sizeFromShape(shape.slice(0, first));
  const rows = util.sizeFromShape(shape.slice(first, end));
  if (end === shape.length) return { outer: 1, rows: outer, columns: rows, overRows: false, outShape, axes };
  return { outer, rows, columns: util.sizeFromShape(shape.slice(end)), overRows: true, outShape, axes };
}
