import { describe, expect, it } from 'vitest';
import { moveChannels } from './moveChannels.js';

describe('moveChannels', () => {
  // Two images of 2 × 3 pixels with 2 channels; value = 100·image + 10·channel + pixel (pixel = 3·row + column).
  const channelsLast = Float32Array.from(
    [0, 1].flatMap((image) => [0, 1, 2, 3, 4, 5].flatMap((pixel) => [0, 1].map((channel) => 100 * image + 10 * channel + pixel))),
  );
  const channelsFirst = Float32Array.from(
    [0, 1].flatMap((image) => [0, 1].flatMap((channel) => [0, 1, 2, 3, 4, 5].map((pixel) => 100 * image + 10 * channel + pixel))),
  );

  it('puts each channel of [B, H, W, C] into a plane of [B, C, H, W]', () => {
    expect([...moveChannels(channelsLast, [2, 2, 3, 2], 'first')]).toEqual([...channelsFirst]);
  });

  it('interleaves the planes of [B, C, H, W] back into [B, H, W, C]', () => {
    expect([...moveChannels(channelsFirst, [2, 2, 2, 3], 'last')]).toEqual([...channelsLast]);
  });

  it('leaves its argument as it was', () => {
    const copy = channelsLast.slice();
    moveChannels(channelsLast, [2, 2, 3, 2], 'first');
    expect(channelsLast).toEqual(copy);
  });
});
