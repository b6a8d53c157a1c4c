/** Options of {@link attentionTransferLoss}. */
export interface AttentionTransferLossOptions {
  /** Exponent of |A|^p in the attention map, ≥ 1; default 2, as in the reference code. */
  readonly p?: number;
  /**
   * `'mean'` (default): the batch mean, a scalar, as the reference code's `at_loss`. `'none'`: each example's
   * mean over its positions, [B], for callers that weight examples (multi-teacher policies).
   */
  readonly reduction?: 'mean' | 'none';
}
