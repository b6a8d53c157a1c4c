import type { EnsembleEvaluation, StageResult } from '@distillery/core';

/** What `runBornAgain` returns. The generations' models are the caller's: dispose them when done. */
export interface BornAgainResult {
  /** Generation k at index k: its trained model, training history and validation metrics (`evaluation`). */
  readonly generations: StageResult[];
  /** The born-again ensemble (BANE): the mean of the chosen generations' softmax outputs, on the validation set. */
  /** The mean-softmax ensemble of the chosen generations on the validation set, and which they were. */
  readonly ensemble: EnsembleEvaluation & { readonly generations: readonly number[] };
}
