/** Options of {@link ofdLoss}. */
export interface OfdLossOptions {
  /**
   * `'mean'` (default): the mean over examples of each example's summed partial L2, a scalar — the reference's
   * `loss.sum() / batch_size`. `'none'`: each example's sum, [B], for callers that weight examples (multi-teacher
   * policies); their mean is the `'mean'` value.
   */
  readonly reduction?: 'mean' | 'none';
}
