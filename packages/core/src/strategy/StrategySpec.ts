/** DI token for the strategies of an experiment, multi-bound in config order. */
export const StrategySpec = Symbol.for('@distillery/core/StrategySpec');

/** One term of the objective as a config names it. */
export interface StrategySpec {
  /** Registry key of the strategy's factory (`response.kd`). */
  readonly key: string;
  /** Multiplies the strategy's loss in the total; finite and ≥ 0. */
  readonly weight: number;
  /** Passed to the factory, which validates it. */
  readonly options?: unknown;
  /** Label for the loss term in events and reports; defaults to the key. */
  readonly name?: string;
  /**
   * Zero-based epoch from which the term counts (default 0). With `until`, this stages an objective
   * inside one run, e.g. FitNets: hints alone for epochs [0, 5), then KD from epoch 5.
   */
  readonly from?: number;
  /** Zero-based epoch from which the term no longer counts (exclusive; default: never). */
  readonly until?: number;
}
