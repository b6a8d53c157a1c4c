/** Options of {@link factorTransferLoss}. */
export interface FactorTransferLossOptions {
  /**
   * The power p of the element differences: 1 (default) is the paper's L1 factor transfer (the authors' code
   * `nn.L1Loss`), 2 their squared differences (RepDistiller's `FactorTransfer(p2=2)`: `.pow(2).mean()`).
   */
  readonly p?: 1 | 2;
  /**
   * `'mean'` (default): the mean over the batch and every factor element, a scalar, as the reference's
   * `nn.L1Loss()` of the normalised factors. `'none'`: each example's mean over its own elements, [B], whose mean
   * over the batch is the `'mean'` value (for callers that weight examples).
   */
  readonly reduction?: 'mean' | 'none';
}
