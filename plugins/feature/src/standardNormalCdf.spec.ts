import { describe, expect, it } from 'vitest';
import { standardNormalCdf } from './standardNormalCdf.js';

// Φ(u) from PyTorch in float64: torch.special.ndtr(torch.tensor(u, dtype=torch.float64)).
const pytorch: [number, number][] = [
  [-3.5, 0.0002326290790355401],
  [-3.09, 0.0010007824766140039],
  [-3, 0.0013498980316301035],
  [-2.5, 0.006209665325776159],
  [-1, 0.15865525393145702],
  [-0.3, 0.3820885778110474],
  [0, 0.5],
  [0.3, 0.6179114221889527],
  [1, 0.841344746068543],
  [2, 0.9772498680518208],
  [3, 0.9986501019683699],
  [6, 0.9999999990134123],
];

describe('standardNormalCdf', () => {
  it('is ½ at 0 and symmetric: Φ(u) + Φ(−u) = 1', () => {
    expect(standardNormalCdf(0)).toBe(0.5);
    for (const u of [0.1, 0.9, 1.7, 2.5, 3.3, 4.2]) expect(standardNormalCdf(u) + standardNormalCdf(-u)).toBeCloseTo(1, 14);
  });

  it("agrees with PyTorch's float64 ndtr to 12 significant digits, on both sides of the series/fraction switch", () => {
    for (const [u, expected] of pytorch) expect(Math.abs(standardNormalCdf(u) - expected) / expected).toBeLessThan(1e-12);
  });

  it('keeps its relative accuracy deep in the lower tail, where 1 − erf would cancel to nothing', () => {
    // Φ(−5) = 2.866515718791939e-7 and Φ(−8) = 6.220960574271784e-16 (standard tables, erfc(5/√2)/2 and erfc(8/√2)/2);
    // PyTorch's ndtr gives 2.86651571868e-7 and 6.1062e-16 there, from 1 + erf.
    expect(Math.abs(standardNormalCdf(-5) / 2.866515718791939e-7 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(standardNormalCdf(-8) / 6.220960574271784e-16 - 1)).toBeLessThan(1e-12);
    expect(standardNormalCdf(-40)).toBe(0);
    expect(standardNormalCdf(40)).toBe(1);
    expect(standardNormalCdf(Number.NaN)).toBeNaN();
  });
});
