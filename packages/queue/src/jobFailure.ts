import { DistilleryError, StrategyFailure } from '@distillery/core';
import { UnrecoverableError } from 'bullmq';

/**
 * What a handler's error becomes: bad input (a `DistilleryError`) or a plugin's bug (a `StrategyFailure`) would
 * fail the same way on every try and every worker, so the job fails at once with its line; anything else may be
 * the machine's (a crash, a lost lease, a full disk) and is thrown on to be retried.
 */
export function jobFailure(error: unknown): unknown {
  if (error instanceof DistilleryError || error instanceof StrategyFailure) return new UnrecoverableError(error.message);
  return error;
}
