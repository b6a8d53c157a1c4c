/**
 * Φ(u), the standard normal distribution function, in double precision (JavaScript has no erf). Written as
 * Φ(u) = ½ erfc(−u/√2), with erfc evaluated two ways so no large terms cancel:
 *
 *   |x| < 2.5:  erf(x) = (2/√π) e^{−x²} Σ_{n≥0} 2ⁿ x^{2n+1} / (1·3·5···(2n+1))   (every term positive)
 *   |x| ≥ 2.5:  erfc(x) = (e^{−x²}/√π) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))   (Laplace's continued fraction)
 *
 * and erfc(−x) = 2 − erfc(x). The relative error is about 1e-13 or better over the range OFD's margins use
 * (Φ above 1e-3); the spec compares it with PyTorch's float64 `Normal(0, 1).cdf`.
 */
export function standardNormalCdf(u: number): number {
  if (Number.isNaN(u)) return Number.NaN;
  return 0.5 * complementaryError(-u / Math.SQRT2);
}

function complementaryError(x: number): number {
  if (x < 0) return 2 - complementaryError(-x);
  if (x < 2.5) return 1 - errorSeries(x);
  if (x > 27) return 0; // e^{−x²} underflows a double
  // The fraction evaluated from a fixed depth upwards; at x ≥ 2.5, 60 levels are far past convergence.
  let tail = x;
  for (let k = 60; k >= 1; k--) tail = x + k / 2 / tail;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / tail;
}

function errorSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; term > sum * 1e-17; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}
