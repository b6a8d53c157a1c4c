import { DistilleryError, type SymbolicShape } from '@distillery/core';

/**
 * [H, W] of a tapped layer's static NHWC output shape, or `undefined` when the model leaves them open (fully
 * convolutional), so a strategy can check its layer pairs before training rather than on the first batch.
 * Throws a one-line {@link DistilleryError} naming `field` when the layer was not tapped or is not NHWC.
 *
 * @param field where the layer stands in the config (`strategies[1].options.pairs[0].student`)
 * @param what the layer as the message names it (`student layer 's_conv1'`)
 */
export function spatialSize(shape: SymbolicShape | undefined, field: string, what: string): [number, number] | undefined {
  if (shape === undefined) throw new DistilleryError(`${field}: ${what} was not tapped`, field);
  if (shape.length !== 4) {
    const shown = shape.map((dimension) => dimension ?? 'B').join(', ');
    throw new DistilleryError(`${field}: ${what} outputs [${shown}]; attention maps need NHWC feature maps [B, H, W, C]`, field);
  }
  const [, height, width] = shape;
  return typeof height === 'number' && typeof width === 'number' ? [height, width] : undefined;
}
