import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { distTerms } from './distTerms.js';

/**
 * DIST: distillation by matching Pearson correlations instead of KL divergence.
 *
 * Huang, You, Wang, Qian, Xu 2022, "Knowledge Distillation from A Stronger Teacher" (NeurIPS); reference code
 * hunto/DIST_KD. With p = softmax(z/T) and pearson(a, b) = Σ āb̄ / (|ā| |b̄| + 1e-8), ā = a − mean(a):
 *
 *   inter = 1 − (1/B) Σ_b pearson(p_s[b, :], p_t[b, :])
 *   intra = 1 − (1/C) Σ_c pearson(p_s[:, c], p_t[:, c])
 *   DIST  = T² · (β · inter + γ · intra)
 *
 * PyTorch: `tau**2 * (beta * (1 - pearson(ps, pt).mean()) + gamma * (1 - pearson(ps.T, pt.T).mean()))`.
 * Defaults β = γ = T = 1 as in the reference's ImageNet runs; its CIFAR-100 runs use β = γ = 2, T = 4.
 * Differences: the reference's segmentation variant has no T (nor T²) and an optional sigmoid instead of softmax;
 * here √ of a squared norm below 1e-30 is floored so a constant row has gradient 0, not NaN (see {@link meanRowPearson}).
 *
 * @param studentLogits z_s, [B, C]
 * @param teacherLogits z_t, [B, C]
 * @returns a scalar
 */
export function distLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  options: { beta?: number; gamma?: number; temperature?: number } = {},
): tf.Scalar {
  const { beta = 1, gamma = 1, temperature = 1 } = options;
  for (const [name, weight] of Object.entries({ beta, gamma })) {
    if (!Number.isFinite(weight)) throw new DistilleryError(`distLoss: ${name} must be a finite number, got ${weight}`);
  }
  return tf.tidy(() => {
    const { inter, intra } = distTerms(studentLogits, teacherLogits, { temperature });
    return tf.add(tf.mul(inter, beta), tf.mul(intra, gamma)) as tf.Scalar;
  });
}
