import { DistilleryError } from './DistilleryError.js';
import { StrategyFailure } from './StrategyFailure.js';

/**
 * Runs a strategy's own code (its factory, `build`, `loss`). A DistilleryError is the user's mistake
 * and passes through as it is; anything else thrown there is a bug in that strategy, reported as a
 * {@link StrategyFailure} naming it.
 */
export function blameStrategy<T>(index: number, key: string, during: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof DistilleryError || error instanceof StrategyFailure) throw error;
    throw new StrategyFailure(index, key, during, error);
  }
}
