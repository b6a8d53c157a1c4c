/** Options of {@link crdNceLoss}. */
export interface CrdNceLossOptions {
  /** N, the size of the training set the negatives are drawn from: the noise distribution is uniform, P_n = 1/N. */
  readonly datasetSize: number;
  /** Added to each denominator, as RepDistiller's `eps`; default 1e-7. */
  readonly eps?: number;
  /**
   * `'mean'` (default): the batch mean, a scalar, as RepDistiller's `ContrastLoss`. `'none'`: each example's own
   * term, −(log D1_b + Σ_k log D0_bk), [B], for callers that weight examples (the multi-teacher policies); their
   * mean over the batch is the `'mean'` value.
   */
  readonly reduction?: 'mean' | 'none';
}
