import { describe, expect, it } from 'vitest';
import { factorChannels } from './factorChannels.js';

describe('factorChannels', () => {
  it('is C · k when that is whole, as every power-of-two width at the default k = 0.5', () => {
    expect(factorChannels(64, 0.5)).toBe(32);
    expect(factorChannels(32, 0.5)).toBe(16);
    expect(factorChannels(16, 1)).toBe(16);
    expect(factorChannels(8, 2)).toBe(16);
  });

  it("rounds to the nearest whole number, halves to the even one as Python's round (the authors' int(round(C · k)))", () => {
    // 30 · 0.3 = 9.000000000000002 → 9; 7 · 0.4 = 2.8 → 3; 10 · 0.22 = 2.2 → 2.
    expect(factorChannels(30, 0.3)).toBe(9);
    expect(factorChannels(7, 0.4)).toBe(3);
    expect(factorChannels(10, 0.22)).toBe(2);
    // Halves: 1.5 → 2, 2.5 → 2, 3.5 → 4, 0.5 → 0.
    expect(factorChannels(3, 0.5)).toBe(2);
    expect(factorChannels(5, 0.5)).toBe(2);
    expect(factorChannels(7, 0.5)).toBe(4);
    expect(factorChannels(1, 0.5)).toBe(0);
  });
});
