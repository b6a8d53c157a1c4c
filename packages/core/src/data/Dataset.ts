import type { Batch } from './Batch.js';

export interface BatchOptions {
  readonly batchSize: number;
  /** Shuffle the order of examples; the order depends only on `seed` and `epoch`. */
  readonly shuffle: boolean;
  readonly seed: number;
  readonly epoch: number;
  /** Apply the dataset's random augmentation, if it has one: true for training batches only. */
  readonly augment?: boolean;
}

/**
 * What the training loop consumes: a finite set of labelled examples served in batches.
 * Each yielded batch is fresh and owned by the caller.
 */
export interface Dataset {
  /** Identifies the examples (and any augmentation) for fingerprints and caches, when known. */
  readonly id?: string;
  readonly size: number;
  /**
   * Whether batches asked for with `augment: true` are randomly augmented, so that one example gives a
   * different input from epoch to epoch (what makes cached teacher outputs stale).
   */
  readonly randomlyAugmented?: boolean;
  /** Shape of one example, without the batch dimension. */
  readonly inputShape: readonly number[];
  batches(options: BatchOptions): Iterable<Batch>;
}
