import { standardNormalCdf } from './standardNormalCdf.js';

/**
 * OFD's margin for one teacher channel (Heo, Kim, Yun, Park, Kwak, Choi 2019, "A Comprehensive Overhaul of Feature
 * Distillation", ICCV, eq. 3): the expected value of the channel's pre-ReLU response given that it is negative,
 * modelling the response as the output of the batch norm before the ReLU, x ~ N(β, γ²):
 *
 *   m = E[x | x < 0] = β − |γ| · φ(β/|γ|) / Φ(−β/|γ|)      φ, Φ: the standard normal density and distribution
 *
 * As the reference code (clovaai/overhaul-distillation, `get_margin_from_BN`), where Φ(−β/|γ|) ≤ 0.001 — almost no
 * negative responses, so the ratio is unreliable — the margin is −3|γ| instead. That makes m jump at the threshold
 * (at β/|γ| ≈ 3.09: about −0.28|γ| just below, −3|γ| above), as in the reference. With γ = 0 the reference divides by zero;
 * here the response is the constant β and the margin is the formula's limit as |γ| → 0, min(β, 0).
 *
 * @param gamma γ, the batch norm's scale (its sign does not matter)
 * @param beta β, the batch norm's shift
 */
export function ofdMargin(gamma: number, beta: number): number {
  const spread = Math.abs(gamma);
  if (spread === 0) return Math.min(beta, 0);
  const negativeShare = standardNormalCdf(-beta / spread);
  if (!(negativeShare > 0.001)) return -3 * spread;
  const z = beta / spread;
  const density = Math.exp(-(z * z) / 2) / Math.sqrt(2 * Math.PI);
  return beta - (spread * density) / negativeShare;
}
