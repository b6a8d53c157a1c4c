import type { IndexedDataset } from '@distillery/data';

/** The three splits of an experiment's data, all views over one in-memory copy. */
export interface ExperimentData {
  readonly train: IndexedDataset;
  /** For choosing hyperparameters and for per-epoch metrics; never the test set. */
  readonly validation: IndexedDataset;
  /** Reported in the summary only. */
  readonly test: IndexedDataset;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  /** Identifies the data and its splits in stage fingerprints. */
  readonly id: string;
}
