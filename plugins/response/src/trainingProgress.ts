import type { DistillationContext } from '@distillery/core';

/** How far training has come, step / (epochs · stepsPerEpoch): 0 at the first step, approaching 1 at the last. */
export function trainingProgress({ step, epochs, stepsPerEpoch }: DistillationContext): number {
  const totalSteps = epochs * stepsPerEpoch;
  return totalSteps > 0 ? step / totalSteps : 0;
}
