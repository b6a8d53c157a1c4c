/** Options of {@link tfkdLoss}. */
export interface TfkdOptions {
  /** a: the virtual teacher's probability of the true class, in (1/C, 1). Default 0.99, the reference code's. */
  readonly correctProbability?: number;
  /** τ > 0. Default 20, the reference code's CIFAR-100 setting. */
  readonly temperature?: number;
  /** `'reference'` (default) follows the authors' code, `'paper'` the paper's equation; see {@link tfkdLoss}. */
  readonly form?: 'reference' | 'paper';
}
