import { describe, expect, it } from 'vitest';
import { resolveInputLayout } from './resolveInputLayout.js';

describe('resolveInputLayout', () => {
  it("reads the layout from sizes that fit only one order of the data's [H, W, C]", () => {
    expect(resolveInputLayout('x', ['N', 3, 32, 32], [32, 32, 3], undefined)).toEqual({ fits: true, layout: 'nchw' });
    expect(resolveInputLayout('x', [-1, 32, 32, 3], [32, 32, 3], undefined)).toEqual({ fits: true, layout: 'nhwc' });
  });

  it('takes NCHW, as PyTorch exports, where the sizes fit both orders or the model gives none', () => {
    expect(resolveInputLayout('x', ['N', 'c', 'h', 'w'], [32, 32, 3], undefined)).toEqual({ fits: true, layout: 'nchw' });
    expect(resolveInputLayout('x', ['N', 4, 4, 4], [4, 4, 4], undefined)).toEqual({ fits: true, layout: 'nchw' });
    expect(resolveInputLayout('x', [], [32, 32, 3], undefined)).toEqual({ fits: true, layout: 'nchw' });
  });

  it('keeps a layout it is given when the sizes allow it', () => {
    expect(resolveInputLayout('x', ['N', 'c', 'h', 'w'], [32, 32, 3], 'nhwc')).toEqual({ fits: true, layout: 'nhwc' });
  });

  it('matches other inputs to [B, ...example] as they are', () => {
    expect(resolveInputLayout('x', ['N', 784], [784], undefined)).toEqual({ fits: true, layout: 'nhwc' });
    expect(resolveInputLayout('x', ['N', 784], [28, 28], undefined)).toEqual({
      fits: false,
      problem: "takes [B, 784], but the data's examples [28, 28] give [B, 28, 28]",
    });
  });

  it('names the free sizes of the input it describes, B for the batch', () => {
    expect(resolveInputLayout('x', ['N', 'channels', 32, ''], [28, 28, 1], undefined)).toEqual({
      fits: false,
      problem:
        "takes [B, channels, 32, ?], but the data's examples [28, 28, 1] give [B, 1, 28, 28] as NCHW or [B, 28, 28, 1] as NHWC",
    });
  });
});
