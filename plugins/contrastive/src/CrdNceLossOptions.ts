/** Options of {@link crdNceLoss}. */
export interface CrdNceLossOptions {
  /** N, the size of the training set the negatives are drawn from: the noise distribution is uniform, P_n = 1/N. */
  readonly datasetSize: number;
  /** Added to each denominator, as RepDistiller's `eps`; default 1e-7. */
  readonly eps?: number;
}
