import { DistilleryError } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { spatialSize } from './spatialSize.js';

const field = 'strategies[1].options.pairs[0].student';
const what = "student layer 's_conv1'";

describe('spatialSize', () => {
  it('reads [H, W] from a static NHWC shape', () => {
    expect(spatialSize([null, 8, 6, 4], field, what)).toEqual([8, 6]);
  });

  it('is undefined when the model leaves H or W open', () => {
    expect(spatialSize([null, null, null, 4], field, what)).toBeUndefined();
    expect(spatialSize([null, 8, null, 4], field, what)).toBeUndefined();
  });

  it('refuses a layer that was not tapped, naming the field', () => {
    expect(() => spatialSize(undefined, field, what)).toThrow(DistilleryError);
    expect(() => spatialSize(undefined, field, what)).toThrow(
      "strategies[1].options.pairs[0].student: student layer 's_conv1' was not tapped",
    );
  });

  it('refuses a layer whose output is not NHWC, showing its shape with B for the batch', () => {
    expect(() => spatialSize([null, 16], field, what)).toThrow(
      "strategies[1].options.pairs[0].student: student layer 's_conv1' outputs [B, 16]; attention maps need NHWC feature maps [B, H, W, C]",
    );
    try {
      spatialSize([null, 16], field, what);
    } catch (error) {
      expect((error as DistilleryError).field).toBe(field);
    }
  });
});
