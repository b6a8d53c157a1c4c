import { DistilleryError } from '@distillery/core';
import type { ChannelNormalization } from './ChannelNormalization.js';
import type { ExampleStore } from './ExampleStore.js';

/**
 * The per-channel mean and population standard deviation of a store's raw values over every example
 * and position (channels = the last axis): the statistics to normalise with, computed from the training
 * images (CIFAR-10's: means ≈ [125.31, 122.95, 113.87], stds ≈ [62.99, 62.09, 66.70] on the 0–255
 * scale). Two passes in float64 (mean, then squared deviations), so no cancellation. A channel whose
 * values are all alike gets std 1, so it normalises to 0 rather than NaN.
 */
export function channelStatistics(store: ExampleStore): ChannelNormalization {
  const channels = store.exampleShape[store.exampleShape.length - 1] as number;
  const { inputs } = store;
  if (inputs.length === 0) throw new DistilleryError(`channelStatistics: ${store.id} has no examples`);
  const perChannel = inputs.length / channels;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let i = c; i < inputs.length; i += channels) sum += inputs[i] as number;
    const channelMean = sum / perChannel;
    let squares = 0;
    for (let i = c; i < inputs.length; i += channels) {
      const deviation = (inputs[i] as number) - channelMean;
      squares += deviation * deviation;
    }
    const channelStd = Math.sqrt(squares / perChannel);
    mean.push(channelMean);
    std.push(channelStd > 0 ? channelStd : 1);
  }
  return { mean, std };
}
