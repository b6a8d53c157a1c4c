import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { normalizeAlongAxis } from './normalizeAlongAxis.js';
import type { RelationReduction } from './RelationReduction.js';
import { validateRelationPair } from './validateRelationPair.js';

/**
 * Neuron Selectivity Transfer: match the distributions of the student's and teacher's channel maps.
 *
 * Huang & Wang 2017, "Like What You Like: Knowledge Distill via Neuron Selectivity Transfer" (arXiv:1707.01219), the
 * MMD² with the polynomial kernel of degree 2 and c = 0; reference code RepDistiller distiller_zoo/NST.py. Each of the
 * C channels' spatial maps (H·W values) is one sample, L2-normalised (eps 1e-12): s_i for the student, t_j for the
 * teacher. With k(a, b) = (a·b)², per example
 *
 *   NST_b = (1/Ct²) Σ_{j,j'} k(t_j, t_j') + (1/Cs²) Σ_{i,i'} k(s_i, s_i') − (2/(Cs·Ct)) Σ_{i,j} k(s_i, t_j)   (MMD²)
 *
 *   reduction 'mean': (1/B) Σ_b NST_b;   reduction 'none': [NST_b], whose mean is the scalar.
 *
 * PyTorch: `k(t, t).mean() + k(s, s).mean() − 2·k(s, t).mean()` on `F.normalize(f.view(B, C, −1), dim=2)`.
 * Channel counts may differ; H×W must match. Where the reference differs: it pools the larger map down with
 * adaptive average pooling when sizes differ; here the caller resizes first (the strategy resizes bilinearly), so
 * unequal sizes are an error. It detaches the teacher-teacher term; here the teacher's features come from outside
 * the gradient tape, so that term is a constant either way. The defaults follow the reference otherwise: the
 * biased MMD estimate over all channel pairs, and a batch mean. The paper's λ/2 weight is the strategy's.
 *
 * @param student NHWC [B, H, W, Cs]
 * @param teacher NHWC [B, H, W, Ct]
 * @returns a scalar, or [B] with `reduction: 'none'`
 */
export function nstLoss(student: tf.Tensor, teacher: tf.Tensor, options?: { readonly reduction?: 'mean' }): tf.Scalar;
export function nstLoss(student: tf.Tensor, teacher: tf.Tensor, options: { readonly reduction: 'none' }): tf.Tensor1D;
export function nstLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options?: { readonly reduction?: RelationReduction },
): tf.Scalar | tf.Tensor1D;
export function nstLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: { readonly reduction?: RelationReduction } = {},
): tf.Scalar | tf.Tensor1D {
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`nstLoss: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  validateRelationPair('nstLoss', student, teacher);
  const shapes = `student [${student.shape.join(', ')}] and teacher [${teacher.shape.join(', ')}]`;
  if (student.rank !== 4 || teacher.rank !== 4) {
    throw new DistilleryError(`nstLoss: expected NHWC feature maps [B, H, W, C], got ${shapes}`);
  }
  const [batch, height, width, studentChannels] = student.shape as [number, number, number, number];
  if (teacher.shape[1] !== height || teacher.shape[2] !== width) {
    throw new DistilleryError(`nstLoss: ${shapes} differ in spatial size; resize them to one H×W first`);
  }
  const teacherChannels = teacher.shape[3] as number;
  return tf.tidy(() => {
    // [B, H·W, C]: each column is one channel's map, normalised over the H·W positions (axis 1).
    const studentMaps = normalizeAlongAxis(tf.reshape(student, [batch, height * width, studentChannels]) as tf.Tensor3D, 1);
    const teacherMaps = normalizeAlongAxis(tf.reshape(teacher, [batch, height * width, teacherChannels]) as tf.Tensor3D, 1);
    // Mean of k over all channel pairs: mean((Aᵀ B)²) over the [Ca, Cb] Gram matrix of each example.
    const meanKernel = (a: tf.Tensor3D, b: tf.Tensor3D) => tf.mean(tf.square(tf.matMul(a, b, true, false)), [1, 2]);
    const perExample = tf.sub(
      tf.add(meanKernel(teacherMaps, teacherMaps), meanKernel(studentMaps, studentMaps)),
      tf.mul(meanKernel(studentMaps, teacherMaps), 2),
    ) as tf.Tensor1D;
    return reduction === 'none' ? perExample : (tf.mean(perExample) as tf.Scalar);
  });
}
