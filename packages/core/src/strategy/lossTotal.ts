import type { Scalar } from '@tensorflow/tfjs-core';
import type { StrategyLoss } from './StrategyLoss.js';

/** The scalar a strategy's `loss` contributes to the objective, whether it reports parts or not. */
export function lossTotal(loss: Scalar | StrategyLoss): Scalar {
  return 'total' in loss ? loss.total : loss;
}
