import type { StrategyCreationContext } from '@distillery/core';

/** How a {@link HintAdapterSet} seeds, names and shapes its adapters. */
export interface HintAdapterSetOptions {
  /** The strategy's key (`feature.hint`): part of each adapter's seed, and of error messages. */
  readonly key: string;
  /** The strategy's creation context: its config path for errors, the experiment's seed, and the variable names. */
  readonly context: Pick<StrategyCreationContext, 'path' | 'seed' | 'variableName'>;
  /** Conv maps of different H×W: resize the adapted student map bilinearly, or refuse at build time. */
  readonly resize: 'bilinear' | 'refuse';
}
