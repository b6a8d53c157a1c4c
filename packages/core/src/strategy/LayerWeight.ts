/**
 * A copy of one weight of a model layer, as `StrategyCreationContext.teacherLayerWeights` hands it out: plain
 * numbers the strategy owns, so it disposes nothing and the model's variables stay untouched.
 */
export interface LayerWeight {
  /**
   * The weight's name within its layer, as tfjs-layers creates it: `kernel`, `bias`; for batch normalization
   * `gamma` (absent with `scale: false`), `beta` (absent with `center: false`), `moving_mean`, `moving_variance`.
   */
  readonly name: string;
  readonly shape: readonly number[];
  /** Row-major values, a copy. */
  readonly values: Float32Array;
}
