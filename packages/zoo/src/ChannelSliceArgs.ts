/** What `ChannelSlice` takes. */
export interface ChannelSliceArgs {
  readonly name?: string;
  /** First channel kept. */
  readonly begin: number;
  /** Channels kept. */
  readonly size: number;
}
