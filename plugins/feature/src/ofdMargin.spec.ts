import { describe, expect, it } from 'vitest';
import { ofdMargin } from './ofdMargin.js';

describe('ofdMargin', () => {
  it('is E[x | x < 0] = −√(2/π) for x ~ N(0, 1): half-normal mean, by hand', () => {
    // β = 0, γ = 1: m = 0 − 1 · φ(0) / Φ(0) = −(1/√(2π)) / ½ = −2/√(2π) = −√(2/π) ≈ −0.7978845608.
    expect(ofdMargin(1, 0)).toBeCloseTo(-Math.sqrt(2 / Math.PI), 14);
    expect(ofdMargin(1, 0)).toBeCloseTo(-0.7978845608, 10);
  });

  it('is β − |γ| φ(β/|γ|) / Φ(−β/|γ|) for β = −2, γ = ±2, by hand from the normal tables', () => {
    // β/|γ| = −1: φ(−1) = φ(1) = 0.2419707245, Φ(1) = 0.8413447461 → m = −2 − 2 · 0.2419707245 / 0.8413447461
    //   = −2 − 2 · 0.2876000 = −2.5751999. The sign of γ does not matter (the reference takes abs(γ)).
    expect(ofdMargin(2, -2)).toBeCloseTo(-2.5751999, 6);
    expect(ofdMargin(-2, -2)).toBe(ofdMargin(2, -2));
  });

  it('falls back to −3|γ| where Φ(−β/|γ|) ≤ 0.001, as the reference does, jumping there', () => {
    // β/|γ| = 3: Φ(−3) = 0.00135 > 0.001, so m = 3 − φ(3)/Φ(−3) = 3 − 0.0044318/0.0013499 = −0.28310.
    expect(ofdMargin(1, 3)).toBeCloseTo(-0.2831, 4);
    // β/|γ| = 3.1: Φ(−3.1) = 0.00097 ≤ 0.001 → −3 · 1; β = 6.5, γ = −2: −6.
    expect(ofdMargin(1, 3.1)).toBe(-3);
    expect(ofdMargin(-2, 6.5)).toBe(-6);
  });

  it('is min(β, 0) for γ = 0 (a constant response), where the reference divides by zero', () => {
    expect(ofdMargin(0, -0.5)).toBe(-0.5);
    expect(ofdMargin(0, 0.5)).toBe(0);
    expect(ofdMargin(0, 0)).toBe(0);
    // The limit it stands for: a tiny |γ| with β < 0 gives almost β.
    expect(ofdMargin(1e-6, -0.5)).toBeCloseTo(-0.5, 5);
  });

  it("matches the reference's formula computed by PyTorch in float64, channel by channel", () => {
    // PyTorch float64, the reference's get_margin_from_BN with torch in place of scipy:
    //   s = |γ|, z = β/s, p = torch.special.ndtr(−z)
    //   m = where(p > 0.001, β − s · exp(Normal(0, 1).log_prob(z)) / p, −3s)
    const channels: [number, number, number][] = [
      [1, 0, -0.7978845608028654],
      [0.5, 0.3, -0.3075128801187718],
      [-1.5, 0.7, -0.9751771362351229],
      [0.8, -3, -3.000282101488542],
      [1, 3, -0.2830986549304164],
      [1, 3.1, -3],
      [2, 6.5, -6],
      [0.01, 0.02, -0.003732155328228407],
      [3, -0.1, -2.4303571857350255],
      [0.25, -0.6, -0.6056449069008212],
    ];
    for (const [gamma, beta, expected] of channels) expect(ofdMargin(gamma, beta)).toBeCloseTo(expected, 12);
  });

  it('is always below 0, and at most β, the mean it conditions on (equal in float64 when β ≪ −|γ|)', () => {
    for (const gamma of [0.1, 0.7, 2]) {
      for (const beta of [-2, -0.4, 0, 0.4, 2, 5]) {
        const margin = ofdMargin(gamma, beta);
        expect(margin).toBeLessThan(0);
        expect(margin).toBeLessThanOrEqual(beta);
      }
    }
  });
});
