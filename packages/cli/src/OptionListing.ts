/** One option of a strategy as `distillery strategies` shows it, read from the factory's options schema. */
export interface OptionListing {
  readonly name: string;
  /** Short and readable: `number > 0`, `'linear' | 'cosine'`, `{ student, teacher }[]`. */
  readonly type: string;
  /** Must a config give it? False for options with a default and optional ones. */
  readonly required: boolean;
  /** The value a config that leaves the option out gets; absent when there is none. */
  readonly default?: unknown;
  readonly description?: string;
}
