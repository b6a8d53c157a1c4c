/** What a factory knows of the experiment when it creates a strategy. */
export interface StrategyCreationContext {
  /** Where in the config the strategy's options live, for error messages (`strategies[1].options`). */
  readonly path: string;
  readonly teacherNames: readonly string[];
  readonly studentName: string;
  readonly seed: number;
}
