import type { OptionListing } from './OptionListing.js';

/** A registered strategy as `distillery strategies` lists it. */
export interface StrategyListing {
  readonly key: string;
  readonly description: string;
  readonly paper?: string;
  /** `null` when the factory declares no options schema: it takes any options, unchecked until it is created. */
  readonly options: readonly OptionListing[] | null;
  /** The options' JSON Schema (what config files may write), or `null` as for `options`. */
  readonly optionsSchema: Record<string, unknown> | null;
}
