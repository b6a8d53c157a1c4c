import type { ObjectiveTerm } from './ObjectiveTerm.js';

/**
 * The log line that says how much memory the strategies' untrained state takes once `prepare` has sized it
 * (`contrastive.crd: 3 tensors, 48.8 MiB`), or undefined when no strategy has any.
 */
export function describeStrategyState(terms: readonly ObjectiveTerm[]): string | undefined {
  const described = terms.flatMap(({ name, strategy }) => {
    const state = strategy.state?.() ?? [];
    if (state.length === 0) return [];
    const bytes = state.reduce(
      (sum, variable) => sum + variable.size * (variable.dtype === 'float32' || variable.dtype === 'int32' ? 4 : 1),
      0,
    );
    const size = bytes < 2 ** 20 ? `${(bytes / 2 ** 10).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    return [`${name}: ${state.length} tensor${state.length === 1 ? '' : 's'}, ${size}`];
  });
  return described.length === 0 ? undefined : `strategy state (checkpointed with the run): ${described.join('; ')}`;
}
