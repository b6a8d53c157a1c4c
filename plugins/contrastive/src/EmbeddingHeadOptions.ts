/** Options of an {@link EmbeddingHead}. */
export interface EmbeddingHeadOptions {
  /** D_in: the width of the flattened feature, per example. */
  readonly inputSize: number;
  /** D_out: the width of the embedding (CRD's `feat_dim`, 128). */
  readonly outputSize: number;
  /** Seeds the initial weights, so an experiment starts from the same head on every run. */
  readonly seed: string;
  /** Names the variable `local` under the strategy's term; called just before each variable is created. */
  readonly variableName: (local: 'kernel' | 'bias') => string;
}
