/** What a factory knows of the experiment when it creates a strategy. */
export interface StrategyCreationContext {
  /** Where in the config the strategy's options live, for error messages (`strategies[1].options`). */
  readonly path: string;
  readonly teacherNames: readonly string[];
  readonly studentName: string;
  readonly seed: number;
  /**
   * The name for a variable this strategy creates (an adapter's kernel): `local` under the strategy's term
   * name, e.g. `feature.hint/pairs[0]/kernel`, made unique among the live variables when it is called, since
   * tfjs keys gradients by variable name. Call it when creating the variable, not before.
   */
  variableName(local: string): string;
}
