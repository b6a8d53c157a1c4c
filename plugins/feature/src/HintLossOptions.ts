/** Options of {@link hintLoss}. */
export interface HintLossOptions {
  /**
   * `'mean'` (default): the mean over every element, a scalar, as the reference code's
   * `F.mse_loss(..., reduction='mean')`. `'none'`: each example's mean over its elements, [B], for callers
   * that weight examples (multi-teacher policies).
   */
  readonly reduction?: 'mean' | 'none';
}
