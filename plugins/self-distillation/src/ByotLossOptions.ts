/** The weights of the "Be Your Own Teacher" loss of each shallow classifier (see `byotLoss`). */
export interface ByotLossOptions {
  /** α in [0, 1]: (1 − α) weighs the head's cross-entropy on the labels, α its KD from the deepest classifier. */
  readonly alpha: number;
  /** T > 0: the softening temperature of the KD term, which is also scaled by T². */
  readonly temperature: number;
  /** λ ≥ 0: the weight of the mean squared distance between the head's feature and the deepest feature. */
  readonly featureWeight: number;
}
