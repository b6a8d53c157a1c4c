/**
 * DKD's linear warm-up factor min((epoch + 1) / warmupEpochs, 1), 1 when `warmupEpochs` is 0. mdistiller
 * (`DKD.forward_train`) uses min(epoch / warmup, 1) with epochs counted from 1; the kernel's `epoch` counts from 0,
 * hence epoch + 1: the first epoch gets 1 / warmupEpochs, as in mdistiller.
 */
export function dkdWarmup(epoch: number, warmupEpochs: number): number {
  return warmupEpochs === 0 ? 1 : Math.min((epoch + 1) / warmupEpochs, 1);
}
