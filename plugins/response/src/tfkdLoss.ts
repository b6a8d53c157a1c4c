import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { batchMeanKl } from './batchMeanKl.js';
import type { TfkdOptions } from './TfkdOptions.js';
import { validateLabels } from './validateLabels.js';
import { validateTemperature } from './validateTemperature.js';

/**
 * Teacher-free KD with a manually designed virtual teacher (Tf-KD_reg; Yuan, Tay, Li, Wang, Feng 2020,
 * "Revisiting Knowledge Distillation via Label Smoothing Regularization", CVPR, section 5; reference code
 * yuanli2333/Teacher-free-Knowledge-Distillation `loss_kd_regularization`). The virtual teacher of an example
 * with label y puts a on y and (1 − a)/(C − 1) on every other class: p_d.
 *
 * `form: 'reference'` (the default; the published numbers come from it):
 *
 *   q = softmax(p_d / τ)            the softmax of the probabilities themselves, divided by τ
 *   loss = (1/(B·C)) Σ_b Σ_c q_bc (log q_bc − log softmax(z_s)_bc)
 *
 * i.e. PyTorch's `nn.KLDivLoss()(F.log_softmax(z_s), F.softmax(p_d / T))`, whose default reduction averages over
 * all B·C entries; the student is not softened and there is no τ². At τ = 20 the target is close to uniform with a
 * slight lean to y, so this acts as a strong label-smoothing term; the authors weigh it α · multiplier (0.1 · 100
 * for ResNet-18 on CIFAR-100) beside (1 − α) · CE.
 *
 * `form: 'paper'`: Eq. 9 with both sides softened in the usual sense, the virtual teacher's logits being log p_d:
 *
 *   loss = τ² · (1/B) Σ_b KL( softmax(log p_d / τ)_b ‖ softmax(z_s / τ)_b )
 *
 * with Hinton's τ² added so that the gradient's scale does not depend on τ (the paper's Eq. 9 has no τ²).
 *
 * @param studentLogits z_s, [B, C] with C ≥ 2
 * @param labels int32 class indices [B]
 */
export function tfkdLoss(studentLogits: tf.Tensor2D, labels: tf.Tensor1D, options: TfkdOptions = {}): tf.Scalar {
  const { correctProbability = 0.99, temperature = 20, form = 'reference' } = options;
  validateLabels('tfkdLoss', labels, studentLogits);
  validateTemperature('tfkdLoss', temperature);
  const [batch, classes] = studentLogits.shape;
  if (classes < 2) throw new DistilleryError(`tfkdLoss: expected at least 2 classes, got logits [${batch}, ${classes}]`);
  if (!(correctProbability > 1 / classes && correctProbability < 1)) {
    throw new DistilleryError(
      `tfkdLoss: correctProbability must lie in (1/C, 1) = (${1 / classes}, 1) so the true class leads, got ${correctProbability}`,
    );
  }
  return tf.tidy(() => {
    const otherProbability = (1 - correctProbability) / (classes - 1);
    const virtualTeacher = tf.add(tf.mul(tf.oneHot(labels, classes), correctProbability - otherProbability), otherProbability);
    if (form === 'reference') {
      const targetLogProbs = tf.logSoftmax(tf.div(virtualTeacher, temperature)) as tf.Tensor2D;
      return tf.div(batchMeanKl(targetLogProbs, tf.logSoftmax(studentLogits) as tf.Tensor2D), classes) as tf.Scalar;
    }
    const targetLogProbs = tf.logSoftmax(tf.div(tf.log(virtualTeacher), temperature)) as tf.Tensor2D;
    const studentLogProbs = tf.logSoftmax(tf.div(studentLogits, temperature)) as tf.Tensor2D;
    return tf.mul(batchMeanKl(targetLogProbs, studentLogProbs), temperature * temperature) as tf.Scalar;
  });
}
