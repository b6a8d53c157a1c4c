import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { RelationReduction } from './RelationReduction.js';

/**
 * FSP distillation loss: the student's FSP matrices against the teacher's, layer pair by layer pair.
 *
 * Yim, Joo, Bae, Kim 2017, "A Gift from Knowledge Distillation: Fast Optimization, Network Minimization and Transfer
 * Learning" (CVPR), section 3.3; reference code RepDistiller distiller_zoo/FSP.py. With the matrices of
 * {@link fspMatrix}, G_s^n and G_t^n of shape [B, Ca_n, Cb_n] for the N layer pairs n:
 *
 *   FSP_b = (1/N) Σ_n (1/(Ca_n·Cb_n)) Σ_{i,j} (G_s^n[b, i, j] − G_t^n[b, i, j])²
 *
 *   reduction 'mean': (1/B) Σ_b FSP_b;   reduction 'none': [FSP_b], whose mean is the scalar.
 *
 * PyTorch: `sum((fs - ft).pow(2).mean() for fs, ft in zip(G_s, G_t)) / N`.
 * Where the references differ: RepDistiller returns one `(fs − ft).pow(2).mean()` per pair and sums them (it uses FSP
 * only in an initialisation stage, helper/pretrain.py); the paper sums the squared entries of each pair, weighted by
 * λ_n, and averages over the examples. Here the pairs are averaged, so the loss does not grow with the number of
 * pairs a config taps and one strategy weight means the same for any N; the weight covers the rest (× N gives
 * RepDistiller's sum). Each pair is a mean over its own entries, so a pair with more channels does not outweigh the
 * others.
 *
 * @param student the student's FSP matrices, one [B, Ca, Cb] per layer pair
 * @param teacher the teacher's, in the same order and of the same shapes
 * @returns a scalar, or [B] with `reduction: 'none'`
 */
export function fspLoss(
  student: readonly tf.Tensor3D[],
  teacher: readonly tf.Tensor3D[],
  options?: { readonly reduction?: 'mean' },
): tf.Scalar;
export function fspLoss(
  student: readonly tf.Tensor3D[],
  teacher: readonly tf.Tensor3D[],
  options: { readonly reduction: 'none' },
): tf.Tensor1D;
export function fspLoss(
  student: readonly tf.Tensor3D[],
  teacher: readonly tf.Tensor3D[],
  options?: { readonly reduction?: RelationReduction },
): tf.Scalar | tf.Tensor1D;
export function fspLoss(
  student: readonly tf.Tensor3D[],
  teacher: readonly tf.Tensor3D[],
  options: { readonly reduction?: RelationReduction } = {},
): tf.Scalar | tf.Tensor1D {
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`fspLoss: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  if (student.length === 0 && teacher.length === 0) {
    throw new DistilleryError('fspLoss: expected at least one pair of FSP matrices, got none');
  }
  if (student.length !== teacher.length) {
    throw new DistilleryError(
      `fspLoss: got ${student.length} student and ${teacher.length} teacher FSP matrices; expected one teacher matrix per student matrix`,
    );
  }
  const batch = student[0]?.shape[0];
  for (const [index, studentMatrix] of student.entries()) {
    const teacherMatrix = teacher[index] as tf.Tensor3D;
    const shapes = `student [${studentMatrix.shape.join(', ')}] and teacher [${teacherMatrix.shape.join(', ')}]`;
    const sameShape =
      studentMatrix.rank === teacherMatrix.rank && studentMatrix.shape.every((size, axis) => size === teacherMatrix.shape[axis]);
    if (studentMatrix.rank !== 3 || !sameShape) {
      throw new DistilleryError(`fspLoss: pair ${index} has FSP matrices ${shapes}; expected one shape [B, Ca, Cb] for both`);
    }
    if (studentMatrix.size === 0) {
      throw new DistilleryError(`fspLoss: pair ${index} has empty FSP matrices ${shapes}`);
    }
    if (studentMatrix.shape[0] !== batch) {
      throw new DistilleryError(`fspLoss: pair ${index} covers a batch of ${studentMatrix.shape[0]}, pair 0 a batch of ${batch}`);
    }
  }
  return tf.tidy(() => {
    const perPair = student.map((studentMatrix, index) =>
      tf.mean(tf.squaredDifference(studentMatrix, teacher[index] as tf.Tensor3D), [1, 2]),
    );
    const perExample = tf.div(tf.addN(perPair), perPair.length) as tf.Tensor1D;
    return reduction === 'none' ? perExample : (tf.mean(perExample) as tf.Scalar);
  });
}
