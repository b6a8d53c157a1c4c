import type { StrategyFailure } from '@distillery/core';

/**
 * How a plugin's bug is reported, on the terminal and in error.txt: the line naming the strategy, then
 * the stack frames of what it threw, so its author can find the line in their code.
 */
export function strategyFailureLines(failure: StrategyFailure): string[] {
  const stack = failure.cause instanceof Error ? (failure.cause.stack ?? '') : '';
  return [failure.message, ...stack.split('\n').filter((line) => /^\s+at /.test(line))];
}
