import type { CurriculumSchedule } from './CurriculumSchedule.js';

/**
 * CTKD's curriculum on the reversal strength λ (Li et al. 2023, section 3.3, the cosine schedule):
 *
 *   λ_n = λ_min + ½ (λ_max − λ_min) (1 + cos((1 + min(n, E) / E) π))
 *
 * rising from λ_min at n = 0 to λ_max at n = E and flat after. n counts epochs from 1, as the reference code's
 * `CosineDecay.get_value(epoch)` does with its 1-based epochs, so the first epoch already has a small λ
 * (0.0245 for E = 10) and `epoch` here is the kernel's zero-based one.
 */
export function curriculumLambda(epoch: number, { lambdaMin, lambdaMax, epochs }: CurriculumSchedule): number {
  const n = Math.min(epoch + 1, epochs);
  return lambdaMin + 0.5 * (lambdaMax - lambdaMin) * (1 + Math.cos((1 + n / epochs) * Math.PI));
}
