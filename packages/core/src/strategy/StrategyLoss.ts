import type { Scalar } from '@tensorflow/tfjs-core';

/**
 * A strategy's loss with its named parts, as mdistiller's methods report theirs: DKD's target and non-target
 * terms, a relational loss's distance and angle terms, or a learned quantity worth following (CTKD's temperature).
 * Only `total` enters the objective (and its gradient); the parts are logged beside it, under the names the strategy
 * declares in `lossParts`.
 */
export interface StrategyLoss {
  readonly total: Scalar;
  readonly parts: Readonly<Record<string, Scalar>>;
}
