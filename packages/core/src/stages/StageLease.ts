/**
 * A stage held by one process while it looks the stage up and, on a miss, trains and saves it, so that two
 * processes sharing a store (workers of a queued sweep) never train the same stage at once, and the second finds
 * the first's result instead of training it again. A holder that dies stops renewing its lease and loses it, so a
 * stage is never locked for good; the process that takes it over continues from the stage's latest checkpoint.
 */
export interface StageLease {
  /** Called once the stage is known to need training: from scratch, or from a checkpoint's epoch and batch. */
  training(resumedFrom: { readonly epoch: number; readonly batch: number } | undefined): Promise<void>;
  /**
   * Throws when the lease was taken over while the stage trained (this holder was presumed dead), so that the
   * late holder does not overwrite what the new one saved.
   */
  assertHeld(): void;
  release(): Promise<void>;
}
