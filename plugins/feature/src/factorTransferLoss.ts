import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { FactorTransferLossOptions } from './FactorTransferLossOptions.js';

/** PyTorch's `F.normalize` ε: x / max(‖x‖₂, ε), so an all-zero factor stays zero instead of dividing by 0. */
const NORMALIZE_EPSILON = 1e-12;

/**
 * The factor transfer loss (Kim, Park, Kwak 2018, "Paraphrasing Complex Network: Network Compression via Factor
 * Transfer", NeurIPS, eq. 3): the distance between the teacher's factor F_T (its paraphraser's encoding) and the
 * student's factor F_S (its translator's output), each flattened per example and scaled to unit L2 norm:
 *
 *   u_b = F_T,b / max(‖F_T,b‖₂, ε),   v_b = F_S,b / max(‖F_S,b‖₂, ε),   ε = 1e-12,   D = elements per example
 *   reduction 'none':  loss_b = (1/D) Σ_i |u_b,i − v_b,i|^p                                   [B]
 *   reduction 'mean':  loss   = (1/B) Σ_b loss_b = (1/(B·D)) Σ_{b,i} |u_b,i − v_b,i|^p
 *
 * PyTorch, the authors' code (Jangho-Kim/Factor-Transfer-pytorch `train_student.py`, p = 1):
 * `nn.L1Loss()(F.normalize(f_s.view(B, -1)), F.normalize(f_t.view(B, -1)))`. The paper writes the p-norm
 * ‖u − v‖_p of each example; the code, and this function, average |u − v|^p over the elements instead, so the
 * paper's L1 value is D × this one (the authors' β = 500 is tuned to the mean). RepDistiller's `FactorTransfer`
 * differs: it first reduces each factor to a spatial map (the channel mean of f², as attention transfer does) before
 * normalising; this follows the authors. Gradients flow to both arguments; the caller computes the teacher's factor
 * where no gradient is taken (a frozen encoder on teacher features). At an exact tie u_i = v_i, tfjs's |·| has the
 * subgradient −1 where PyTorch's has 0 (p = 1 only; ties almost never happen between two network outputs).
 *
 * @param studentFactor F_S, [B, …]
 * @param teacherFactor F_T, the student factor's shape
 */
export function factorTransferLoss(
  studentFactor: tf.Tensor,
  teacherFactor: tf.Tensor,
  options?: FactorTransferLossOptions & { readonly reduction?: 'mean' },
): tf.Scalar;
export function factorTransferLoss(
  studentFactor: tf.Tensor,
  teacherFactor: tf.Tensor,
  options: FactorTransferLossOptions & { readonly reduction: 'none' },
): tf.Tensor1D;
export function factorTransferLoss(
  studentFactor: tf.Tensor,
  teacherFactor: tf.Tensor,
  options?: FactorTransferLossOptions,
): tf.Scalar | tf.Tensor1D;
export function factorTransferLoss(
  studentFactor: tf.Tensor,
  teacherFactor: tf.Tensor,
  options: FactorTransferLossOptions = {},
): tf.Scalar | tf.Tensor1D {
  const { p = 1, reduction = 'mean' } = options;
  if (p !== 1 && p !== 2) throw new DistilleryError(`factorTransferLoss: p must be 1 or 2, got ${p}`);
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`factorTransferLoss: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  const shapes = `student factor [${studentFactor.shape.join(', ')}] and teacher factor [${teacherFactor.shape.join(', ')}]`;
  if (!tf.util.arraysEqual(studentFactor.shape, teacherFactor.shape)) {
    throw new DistilleryError(`factorTransferLoss: ${shapes} differ in shape`);
  }
  if (studentFactor.rank < 2 || studentFactor.size === 0) {
    throw new DistilleryError(`factorTransferLoss: expected factors [B, …] with at least one value each, got ${shapes}`);
  }
  return tf.tidy(() => {
    const difference = tf.sub(unitRows(teacherFactor), unitRows(studentFactor));
    const powered = p === 1 ? tf.abs(difference) : tf.square(difference);
    return reduction === 'mean' ? (tf.mean(powered) as tf.Scalar) : (tf.mean(powered, 1) as tf.Tensor1D);
  });
}

/** Each example flattened and divided by max(‖x‖₂, ε), written √max(Σx², ε²) so the gradient at 0 stays finite. */
function unitRows(factor: tf.Tensor): tf.Tensor2D {
  const rows = tf.reshape(factor, [factor.shape[0] as number, -1]) as tf.Tensor2D;
  const norms = tf.sqrt(tf.maximum(tf.sum(tf.square(rows), 1, true), NORMALIZE_EPSILON * NORMALIZE_EPSILON));
  return tf.div(rows, norms);
}
