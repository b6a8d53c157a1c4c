/** How an ensemble that averages its members' softmax outputs does on a labelled dataset. */
export interface EnsembleEvaluation {
  /** Fraction of examples whose arg-max class of the mean probabilities is the label. */
  readonly accuracy: number;
  /** Mean cross-entropy of the mean probabilities on the labels, −(1/N) Σ_n log p̄_{n, y_n}. */
  readonly loss: number;
  readonly examples: number;
}
