/**
 * Which augmented batches a per-epoch teacher-output cache holds. An epoch's batches are drawn from (seed, epoch,
 * batch index), so their pixels depend on the seed, the batch size, whether the order is shuffled and the epoch, and
 * those join the cache key; the number of epochs does not (epoch 3 of a 10-epoch run is epoch 3 of a 20-epoch one).
 */
export interface PerEpochBatches {
  readonly seed: number;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly epoch: number;
}
