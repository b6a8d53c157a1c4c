import { DistilleryError } from '@distillery/core';

/**
 * The [B, H, W, C] of an image batch handed to augmentation `name`, or a one-line DistilleryError naming
 * it when the batch is not rank 4: the check every image augmentation makes on both of its paths.
 */
export function imageBatchShape(name: string, shape: readonly number[]): [number, number, number, number] {
  if (shape.length !== 4) {
    throw new DistilleryError(`${name}: expected an image batch [B, H, W, C], got [${shape.join(', ')}]`);
  }
  return shape as unknown as [number, number, number, number];
}
