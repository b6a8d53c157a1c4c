/** Options of {@link drawNegatives}. */
export interface DrawNegativesOptions {
  /** K, how many negatives each example gets. */
  readonly k: number;
  /** N: negatives are drawn from [0, N). */
  readonly datasetSize: number;
  /** The experiment's seed. */
  readonly seed: number;
  /** The optimizer step: each step draws afresh, and the same step always draws the same. */
  readonly step: number;
  /**
   * Names a further stream of draws for the same (seed, step), so that several memories addressed in one step (one
   * per teacher in `multi.crd`) get independent negatives. Left out, the draws are `contrastive.crd`'s.
   */
  readonly stream?: string;
}
