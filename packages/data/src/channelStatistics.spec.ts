import { DistilleryError } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { channelStatistics } from './channelStatistics.js';
import { ExampleStore } from './ExampleStore.js';

describe('channelStatistics', () => {
  it('gives each channel (last axis) its mean and population std over every example and pixel', () => {
    // Two 1×2 RGB images; channel values R: 0, 10, 20, 30 · G: 4, 4, 4, 4 · B: 1, 3, 1, 3.
    const store = new ExampleStore({
      id: 'rgb',
      inputs: Uint8Array.from([0, 4, 1, 10, 4, 3, 20, 4, 1, 30, 4, 3]),
      exampleShape: [1, 2, 3],
      labels: Int32Array.from([0, 0]),
      numClasses: 1,
    });
    const { mean, std } = channelStatistics(store);
    // R: mean 15, deviations ±15, ±5 → variance (225 + 25 + 25 + 225) / 4 = 125. B: mean 2, variance 1.
    expect(mean).toEqual([15, 4, 2]);
    expect(std[0]).toBeCloseTo(Math.sqrt(125), 12);
    // A constant channel gets std 1, so it normalises to 0 rather than NaN.
    expect(std.slice(1)).toEqual([1, 1]);
  });

  it('reads the raw values, whatever normalisation the store has', () => {
    const raw = new ExampleStore({
      id: 'r',
      inputs: Float32Array.from([1, 3]),
      exampleShape: [1],
      labels: Int32Array.from([0, 0]),
      numClasses: 1,
    });
    expect(channelStatistics(raw.withNormalization({ mean: [100], std: [7] }))).toEqual({ mean: [2], std: [1] });
  });

  it('refuses a store without examples', () => {
    const empty = new ExampleStore({
      id: 'none',
      inputs: new Uint8Array(0),
      exampleShape: [3],
      labels: new Int32Array(0),
      numClasses: 1,
    });
    expect(() => channelStatistics(empty)).toThrow(new DistilleryError('channelStatistics: none has no examples'));
  });
});
