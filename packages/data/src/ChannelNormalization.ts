/**
 * Per-channel normalisation of an {@link ExampleStore}'s inputs: the value v of channel c (the last
 * axis of an example) becomes (v − mean[c]) / std[c]. Both are in the scale the store keeps its raw
 * values in, e.g. 0–255 for uint8 images: CIFAR-10's training images have means ≈ [125.3, 123.0, 113.9].
 */
export interface ChannelNormalization {
  readonly mean: readonly number[];
  /** Positive; a channel whose values are all alike gets std 1 from {@link channelStatistics}, not 0. */
  readonly std: readonly number[];
}
