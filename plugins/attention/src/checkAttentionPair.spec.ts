import { DistilleryError } from '@distillery/core';
import { describe, expect, it } from 'vitest';
import { checkAttentionPair } from './checkAttentionPair.js';

const where = 'strategies[1].options.pairs[0]';

/** The pair's student and teacher layers with the given static shapes, named as a strategy names them. */
function check(
  studentShape: (number | null)[] | undefined,
  teacherShape: (number | null)[] | undefined,
  resize: 'avgpool' | 'bilinear' = 'avgpool',
): () => void {
  return () =>
    checkAttentionPair(
      where,
      { shape: studentShape, field: `${where}.student`, what: "student layer 's_conv'" },
      { shape: teacherShape, field: `${where}.teacherLayer`, what: "teacher 'wide' layer 't_conv'" },
      resize,
    );
}

describe('checkAttentionPair', () => {
  it('accepts equal sizes, integer multiples for avgpool, any larger map for bilinear, and sizes left open', () => {
    expect(check([null, 4, 4, 2], [null, 4, 4, 8])).not.toThrow();
    expect(check([null, 8, 8, 2], [null, 4, 2, 8])).not.toThrow();
    expect(check([null, 6, 6, 2], [null, 4, 4, 8], 'bilinear')).not.toThrow();
    expect(check([null, null, null, 2], [null, 3, 3, 8])).not.toThrow();
  });

  it('refuses sizes avgpool cannot reduce, naming the pair', () => {
    expect(check([null, 6, 6, 2], [null, 4, 4, 8])).toThrow(DistilleryError);
    expect(check([null, 6, 6, 2], [null, 4, 4, 8])).toThrow(
      "strategies[1].options.pairs[0]: student map 6×6, teacher map 4×4: avgpool needs sizes that are integer multiples of each other; use resize: 'bilinear' or tap layers of matching size",
    );
  });

  it('refuses a layer that is not an NHWC map or was not tapped, naming its own field', () => {
    expect(check([null, 16], [null, 4, 4, 8])).toThrow(
      "strategies[1].options.pairs[0].student: student layer 's_conv' outputs [B, 16]; attention maps need NHWC feature maps [B, H, W, C]",
    );
    expect(check([null, 4, 4, 2], undefined)).toThrow(
      "strategies[1].options.pairs[0].teacherLayer: teacher 'wide' layer 't_conv' was not tapped",
    );
  });
});
