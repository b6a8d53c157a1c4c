import { DistilleryError } from '@distillery/core';
import type { Augmentation } from './Augmentation.js';

/**
 * Several augmentations applied in the order given, all drawing from the one random source of the batch
 * (each takes its draws for the whole batch before the next starts), so the composition is as
 * deterministic as its parts. Its description joins theirs with '+' (`randomCrop(4)+horizontalFlip()`),
 * which the dataset id then carries. It has the fast `applyToValues` path only when every part has it,
 * because the parts' draws must come in the same order on both paths.
 */
export function composeAugmentations(augmentations: readonly Augmentation[]): Augmentation {
  if (augmentations.length === 0) {
    throw new DistilleryError('composeAugmentations: expected at least one augmentation, got none');
  }
  const parts = [...augmentations];
  const composed: Augmentation = {
    description: parts.map((augmentation) => augmentation.description).join('+'),
    checkExampleShape(exampleShape) {
      for (const augmentation of parts) augmentation.checkExampleShape?.(exampleShape);
    },
    apply: (inputs, random) => parts.reduce((batch, augmentation) => augmentation.apply(batch, random), inputs),
  };
  const valuesPaths = parts.map((augmentation) => augmentation.applyToValues?.bind(augmentation));
  if (valuesPaths.every((path) => path !== undefined)) {
    composed.applyToValues = (values, shape, random) => valuesPaths.reduce((batch, path) => path(batch, shape, random), values);
  }
  return composed;
}
