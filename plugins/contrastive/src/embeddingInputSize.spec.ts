import { DistilleryError } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { embeddingInputSize } from './embeddingInputSize.js';

describe('embeddingInputSize', () => {
  it('is the per-example size of a tapped shape: [B, 64] → 64, an NHWC map [B, 4, 4, 8] → 128', () => {
    expect(embeddingInputSize([null, 64], 'f', 'layer')).toBe(64);
    expect(embeddingInputSize([null, 4, 4, 8], 'f', 'layer')).toBe(128);
  });

  it('refuses a shape with an open size, or no size beyond the batch, in one line naming the option', () => {
    const run = (shape: (number | null)[]) => () =>
      embeddingInputSize(shape, 'strategies[0].options.student', "student layer 'x'");
    expect(run([null, null, 3])).toThrow(DistilleryError);
    expect(run([null, null, 3])).toThrow(
      "strategies[0].options.student: student layer 'x' has output shape [B, ?, 3]; an embedding head needs every size but the batch known",
    );
    expect(run([null])).toThrow("strategies[0].options.student: student layer 'x' has output shape [B]; an embedding");
  });
});
