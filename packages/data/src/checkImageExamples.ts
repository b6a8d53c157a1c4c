import { DistilleryError } from '@distillery/core';

/** Throws a one-line DistilleryError naming augmentation `name` unless examples are images [H, W, C]. */
export function checkImageExamples(name: string, exampleShape: readonly number[]): void {
  if (exampleShape.length !== 3) {
    throw new DistilleryError(`${name}: expected images [H, W, C], got examples of shape [${exampleShape.join(', ')}]`);
  }
}
