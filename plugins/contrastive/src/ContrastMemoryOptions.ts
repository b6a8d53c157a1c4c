/** Options of a {@link ContrastMemory}. */
export interface ContrastMemoryOptions {
  /** N, rows per memory: one per training example. */
  readonly size: number;
  /** D, the width of the embeddings the memories keep. */
  readonly featureDim: number;
  /** Seeds the initial rows, so an experiment starts from the same memories on every run. */
  readonly seed: string;
  /** Names a state variable `local` under the strategy's term; called just before each one is created. */
  readonly variableName: (local: string) => string;
}
