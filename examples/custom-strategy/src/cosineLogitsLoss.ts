import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * One minus the Pearson correlation between student and teacher logits: the cosine of the centred logits.
 *
 * Huang, You, Wang, Qian, Xu 2022, "Knowledge Distillation from A Stronger Teacher" (DIST, NeurIPS), matches the
 * teacher's inter-class relation with the distance d_p(u, v) = 1 − ρ_p(u, v), ρ_p the Pearson correlation. DIST applies it
 * to softmax(z/τ) and adds an intra-class term over the batch's columns; this loss keeps the inter-class term alone and
 * applies it to the logits themselves:
 *
 *   u_b = z_s,b − mean_c(z_s,b),   v_b = z_t,b − mean_c(z_t,b)
 *   ρ_b = ⟨u_b, v_b⟩ / ( √(‖u_b‖² + ε²) · √(‖v_b‖² + ε²) )
 *   L   = (1/B) Σ_b (1 − ρ_b)        ∈ [0, 2]: 0 for identical logits, 1 for uncorrelated, 2 for opposite
 *
 * Why centre: softmax(z) = softmax(z + c) for any constant c added to a row, so a row's logits mean nothing beyond a shift,
 * and a plain cosine would see it ([11, 10, 9] and [1, 0, −1] give the same probabilities but a cosine of 0.08).
 * Why there is no temperature: ρ is unchanged when either row is scaled by any a > 0, so L at z/T is L at z for every T;
 * a temperature option would do nothing. The loss deliberately leaves the logits' scale, the student's confidence, free,
 * to be set by the `task.ce` term beside it. With z-scores ẑ = u / σ (σ the population standard deviation of the row),
 * (1/C)·‖ẑ_s − ẑ_t‖² = 2(1 − ρ), so L is also half the mean squared difference of standardised logits: Hinton et al.
 * 2015's "matching logits" (section 2.1, KD's high-temperature limit with zero-meaned logits) after standardisation.
 *
 * Gradient (ε → 0): ∂L/∂z_s,b = −(1/B) · (v_b/‖v_b‖ − ρ_b · u_b/‖u_b‖) / ‖u_b‖, orthogonal to u_b and to the all-ones
 * vector, so it turns the student's logits towards the teacher's without changing their scale or mean.
 *
 * ε sits under the square root, not beside the norm as in DIST's reference code (‖u‖·‖v‖ + ε): in tfjs the gradient of
 * ‖u‖ = √(Σ u²) at u = 0 is ∞ · 0 = NaN, which + ε does not cure. A constant row (u_b = 0, e.g. a student whose ReLUs are
 * all off for that input) thus counts as uncorrelated, L_b = 1, with a finite gradient.
 *
 * @param studentLogits z_s, [B, C]
 * @param teacherLogits z_t, [B, C]; the kernel computes them outside the gradient tape, so no gradient reaches the teacher
 * @param options.epsilon ε, default 1e-6: far below the norm of any informative row of logits
 * @returns a scalar
 */
export function cosineLogitsLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  options: { epsilon?: number | undefined } = {},
): tf.Scalar {
  const epsilon = options.epsilon ?? 1e-6;
  validateShapes(studentLogits, teacherLogits);
  if (!Number.isFinite(epsilon) || epsilon <= 0) {
    throw new DistilleryError(`cosineLogitsLoss: epsilon must be a finite positive number, got ${epsilon}`);
  }
  return tf.tidy(() => {
    const u = tf.sub(studentLogits, tf.mean(studentLogits, 1, true));
    const v = tf.sub(teacherLogits, tf.mean(teacherLogits, 1, true));
    const smoothedNorm = (x: tf.Tensor) => tf.sqrt(tf.add(tf.sum(tf.square(x), 1), epsilon * epsilon));
    const correlation = tf.div(tf.sum(tf.mul(u, v), 1), tf.mul(smoothedNorm(u), smoothedNorm(v)));
    return tf.mean(tf.sub(1, correlation)) as tf.Scalar;
  });
}

function validateShapes(studentLogits: tf.Tensor, teacherLogits: tf.Tensor): void {
  const student = `[${studentLogits.shape.join(', ')}]`;
  const teacher = `[${teacherLogits.shape.join(', ')}]`;
  if (studentLogits.rank !== 2 || teacherLogits.rank !== 2) {
    throw new DistilleryError(`cosineLogitsLoss: expected logits of shape [B, C], got student ${student} and teacher ${teacher}`);
  }
  if (studentLogits.shape[0] !== teacherLogits.shape[0] || studentLogits.shape[1] !== teacherLogits.shape[1]) {
    throw new DistilleryError(`cosineLogitsLoss: student logits ${student} and teacher logits ${teacher} differ in shape`);
  }
  // One class centres to the zero vector: there would be nothing to correlate.
  if ((studentLogits.shape[1] as number) < 2) {
    throw new DistilleryError(`cosineLogitsLoss: expected at least 2 classes, got logits ${student}`);
  }
}
