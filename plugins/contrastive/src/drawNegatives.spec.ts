import { describe, expect, it } from 'vitest';
import { drawNegatives } from './drawNegatives.js';

const batch = Int32Array.from([4, 0, 9]);

describe('drawNegatives', () => {
  it('gives each example its own index in column 0 and K indices in [0, N) after it', () => {
    const drawn = drawNegatives(batch, { k: 5, datasetSize: 10, seed: 1, step: 0 });
    expect(drawn).toBeInstanceOf(Int32Array);
    expect(drawn).toHaveLength(3 * 6);
    expect([drawn[0], drawn[6], drawn[12]]).toEqual([4, 0, 9]);
    for (const index of drawn) {
      expect(Number.isInteger(index) && index >= 0 && index < 10).toBe(true);
    }
  });

  it('draws the same for the same (seed, step) and otherwise differently', () => {
    const options = { k: 40, datasetSize: 1000, seed: 7, step: 3 };
    expect(drawNegatives(batch, options)).toEqual(drawNegatives(batch, options));
    expect(drawNegatives(batch, { ...options, step: 4 })).not.toEqual(drawNegatives(batch, options));
    expect(drawNegatives(batch, { ...options, seed: 8 })).not.toEqual(drawNegatives(batch, options));
  });

  it('draws another, equally repeatable, set for each named stream of the same (seed, step)', () => {
    const options = { k: 40, datasetSize: 1000, seed: 7, step: 3 };
    const a = drawNegatives(batch, { ...options, stream: 'a' });
    expect(drawNegatives(batch, { ...options, stream: 'a' })).toEqual(a);
    expect(a).not.toEqual(drawNegatives(batch, options));
    expect(drawNegatives(batch, { ...options, stream: 'b' })).not.toEqual(a);
    expect([a[0], a[41], a[82]]).toEqual([4, 0, 9]);
  });

  it('draws uniformly with replacement: 10,000 draws over 10 rows put about 1,000 on each', () => {
    const drawn = drawNegatives(Int32Array.from([0, 1, 2, 3]), { k: 2500, datasetSize: 10, seed: 0, step: 0 });
    const counts = new Array(10).fill(0);
    drawn.forEach((index, i) => {
      if (i % 2501 !== 0) counts[index]++;
    });
    // Binomial(10,000, 1/10): σ = 30, so every count lies within 1,000 ± 150 (5σ).
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(150);
    // With replacement: 2,500 draws from 10 rows repeat.
    expect(new Set(drawn.subarray(1, 2501)).size).toBe(10);
  });
});
