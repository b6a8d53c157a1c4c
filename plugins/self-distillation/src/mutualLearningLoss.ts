import { DistilleryError, stopGradient } from '@distillery/core';
import { kdLoss } from '@distillery/plugin-response';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Deep mutual learning's distillation part for a cohort of K ≥ 2 models trained together (Zhang, Xiang, Hospedales,
 * Lu 2018, "Deep Mutual Learning", CVPR, Eq. 10 for K networks):
 *
 *   L = Σ_k (1/(K − 1)) Σ_{l ≠ k} T² · KL( softmax(z_l/T) ‖ softmax(z_k/T) )   with z_l detached in model k's term
 *
 * so each model is pulled towards the others' current predictions and no gradient reaches a model through another's
 * term: the sum trains every model with its own objective at once. The paper (and its reference code,
 * YingZhangDUT/Deep-Mutual-Learning) updates the models one after another within a step, each seeing the
 * others' predictions from before its update; here all models take the step together, from the same predictions,
 * as most reimplementations (torchdistill's, RepDistiller-based ones) do. T = 1 is the paper's; T² keeps the
 * gradient's scale independent of T, as in {@link kdLoss}.
 *
 * @param logits each model's logits [B, C], the student's first
 */
export function mutualLearningLoss(logits: readonly tf.Tensor2D[], options: { temperature?: number } = {}): tf.Scalar {
  const { temperature = 1 } = options;
  if (logits.length < 2)
    throw new DistilleryError(`mutualLearningLoss: expected a cohort of at least 2 models, got ${logits.length}`);
  return tf.tidy(() => {
    const terms = logits.map((own, k) => {
      const others = logits.filter((_, l) => l !== k).map((other) => kdLoss(own, stopGradient(other), { temperature }));
      return tf.div(tf.addN(others), others.length);
    });
    return tf.addN(terms) as tf.Scalar;
  });
}
