import { DistilleryError, type StrategyLoss, stopGradient } from '@distillery/core';
import { kdLoss } from '@distillery/plugin-response';
import * as tf from '@tensorflow/tfjs-core';
import type { ByotLossOptions } from './ByotLossOptions.js';
import type { ByotOutputs } from './ByotOutputs.js';

/**
 * The shallow classifiers' loss of self-distillation, "Be Your Own Teacher" (Zhang, Song, Gao, Chen, Bao, Ma 2019,
 * ICCV, Eq. 4), for heads i = 1 … n with logits z_i [B, C] and features f_i [B, D], taught by the deepest classifier
 * (the student's own logits z and penultimate feature f):
 *
 *   loss = Σ_i (1 − α) · CE(z_i, y) + α · T² · (1/B) Σ_b KL(softmax(z/T)_b ‖ softmax(z_i/T)_b) + λ · mean((f_i − f)²)
 *
 * CE is the batch mean of −log softmax(z_i)_y, and mean((f_i − f)²) averages over all B·D entries (PyTorch's
 * `F.mse_loss`). z and f are teacher signals: they are detached ({@link stopGradient}, PyTorch's `.detach()`), so this
 * loss trains the heads and, through the tapped stage maps, the layers below them, but never pulls the deepest
 * classifier towards its heads. The deepest classifier's own cross-entropy is not part of it: that is `task.ce`.
 *
 * Where the reference code (luanyunteng/pytorch-be-your-own-teacher, `train.py`) differs:
 * - its KD term is the soft-target cross-entropy −Σ_c p_c log q_c, which is this KL plus the teacher's entropy. With the
 *   teacher detached, that entropy is a constant, so both give the same gradients; this one is 0 when a head agrees.
 * - its feature term sums the squared differences over the batch and the features (with a mask that only drops entries
 *   where both features are ≤ 0, which ReLU features make 0 anyway) and weighs the sum by β = 1e-6. Here the term is a
 *   mean, so λ does not change meaning with the batch size or the width; λ = β · B · D = 1e-6 · 128 · 512 matches the
 *   reference's ResNet-18 run (batch 128, D = 512).
 *
 * @param heads each shallow head's outputs, shallow → deep (at least one)
 * @param deepest the deepest classifier's feature [B, D] and logits [B, C]
 * @param labels int32 class indices [B]
 * @returns the total and its parts summed over the heads, unweighted (before 1 − α, α and λ): `ce`, `kd`
 *   (T²-scaled) and `feature`
 */
export function byotLoss(
  heads: readonly ByotOutputs[],
  deepest: ByotOutputs,
  labels: tf.Tensor1D,
  options: ByotLossOptions,
): StrategyLoss {
  const { alpha, temperature, featureWeight } = options;
  validate(heads, deepest, labels, options);
  return tf.tidy(() => {
    const teacherLogits = stopGradient(deepest.logits);
    const teacherFeature = stopGradient(deepest.feature);
    const targets = tf.oneHot(labels, deepest.logits.shape[1]);
    const sum = (terms: tf.Scalar[]) => tf.addN(terms) as tf.Scalar;
    const ce = sum(heads.map((head) => tf.losses.softmaxCrossEntropy(targets, head.logits) as tf.Scalar));
    const kd = sum(heads.map((head) => kdLoss(head.logits, teacherLogits, { temperature })));
    const feature = sum(heads.map((head) => tf.mean(tf.squaredDifference(head.feature, teacherFeature)) as tf.Scalar));
    const total = tf.addN([tf.mul(ce, 1 - alpha), tf.mul(kd, alpha), tf.mul(feature, featureWeight)]) as tf.Scalar;
    return { total, parts: { ce, kd, feature } };
  });
}

function validate(
  heads: readonly ByotOutputs[],
  deepest: ByotOutputs,
  labels: tf.Tensor1D,
  { alpha, temperature, featureWeight }: ByotLossOptions,
): void {
  if (heads.length === 0) throw new DistilleryError('byotLoss: expected at least one shallow head');
  if (!(alpha >= 0 && alpha <= 1)) throw new DistilleryError(`byotLoss: alpha must lie in [0, 1], got ${alpha}`);
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new DistilleryError(`byotLoss: temperature must be a finite number > 0, got ${temperature}`);
  }
  if (!(featureWeight >= 0 && Number.isFinite(featureWeight))) {
    throw new DistilleryError(`byotLoss: featureWeight must be a finite number ≥ 0, got ${featureWeight}`);
  }
  const shape = (tensor: tf.Tensor) => `[${tensor.shape.join(', ')}]`;
  if (deepest.logits.rank !== 2 || deepest.feature.rank !== 2 || deepest.feature.shape[0] !== deepest.logits.shape[0]) {
    throw new DistilleryError(
      `byotLoss: expected the deepest logits [B, C] and feature [B, D], got ${shape(deepest.logits)} and ${shape(deepest.feature)}`,
    );
  }
  if (labels.rank !== 1 || labels.shape[0] !== deepest.logits.shape[0]) {
    throw new DistilleryError(`byotLoss: expected labels [${deepest.logits.shape[0]}], got ${shape(labels)}`);
  }
  heads.forEach((head, index) => {
    const logitsMatch = shape(head.logits) === shape(deepest.logits);
    if (!logitsMatch || shape(head.feature) !== shape(deepest.feature)) {
      throw new DistilleryError(
        `byotLoss: head ${index} gives logits ${shape(head.logits)} and feature ${shape(head.feature)}; the deepest classifier gives ${shape(deepest.logits)} and ${shape(deepest.feature)}`,
      );
    }
  });
}
