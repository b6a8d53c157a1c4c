/** The layers whose outputs a strategy reads, by layer name. */
export interface FeatureTaps {
  readonly student?: readonly string[];
  /** Keyed by teacher name. */
  readonly teachers?: Readonly<Record<string, readonly string[]>>;
}
