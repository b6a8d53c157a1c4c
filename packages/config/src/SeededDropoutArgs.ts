export interface SeededDropoutArgs {
  readonly rate: number;
  /** Without a seed, masks come from tfjs's unseeded random numbers, as a plain Dropout's do. */
  readonly seed?: number;
  readonly name?: string;
  readonly inputShape?: number[];
}
