/** Options of {@link vidLoss}. */
export interface VidLossOptions {
  /**
   * ε, added to softplus(logScale) so the variance stays away from 0: σ²_c = softplus(s_c) + ε. Default 1e-5, as
   * RepDistiller's `VIDLoss(eps=1e-5)`. A finite number ≥ 0.
   */
  readonly eps?: number;
  /**
   * `'mean'` (default): the mean of the negative log-likelihood over every element, a scalar, as the reference's
   * `neg_log_prob.mean()`. `'none'`: each example's mean over its elements, [B], for callers that weight examples
   * (multi-teacher policies); their mean over the batch is the `'mean'` value.
   */
  readonly reduction?: 'mean' | 'none';
}
