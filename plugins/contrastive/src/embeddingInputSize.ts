import { DistilleryError, type SymbolicShape } from '@distillery/core';

/**
 * How many values a tapped layer gives per example, its static shape [B, …] flattened (an NHWC map becomes one
 * long vector, as RepDistiller's `x.view(B, -1)`): the input width of CRD's embedding head. `field` and `what`
 * name the option and the layer in the error when a size is not known.
 */
export function embeddingInputSize(shape: SymbolicShape, field: string, what: string): number {
  const sizes = shape.slice(1);
  if (sizes.length === 0 || sizes.some((size) => typeof size !== 'number')) {
    const described = `[${shape.map((size, axis) => size ?? (axis === 0 ? 'B' : '?')).join(', ')}]`;
    throw new DistilleryError(
      `${field}: ${what} has output shape ${described}; an embedding head needs every size but the batch known`,
      field,
    );
  }
  return (sizes as number[]).reduce((product, size) => product * size, 1);
}
