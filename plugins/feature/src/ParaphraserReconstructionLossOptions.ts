/** Options of {@link paraphraserReconstructionLoss}. */
export interface ParaphraserReconstructionLossOptions {
  /**
   * The power p of the element differences: 2 (default) is the paper's squared error ‖x − P(x)‖² and RepDistiller's
   * `nn.MSELoss()`; 1 is the authors' code (`nn.L1Loss()` in `train_Paraphraser.py`).
   */
  readonly p?: 1 | 2;
  /**
   * `'mean'` (default): the mean over every element, a scalar, as the references' `nn.MSELoss()` / `nn.L1Loss()`.
   * `'none'`: each example's mean over its own elements, [B], whose mean is the `'mean'` value.
   */
  readonly reduction?: 'mean' | 'none';
}
