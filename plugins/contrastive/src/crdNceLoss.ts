import { DistilleryError } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import type { CrdNceLossOptions } from './CrdNceLossOptions.js';

/**
 * CRD's NCE objective (Tian, Krishnan, Isola 2020, "Contrastive Representation Distillation", ICLR, Eq. 18), as
 * RepDistiller's `ContrastLoss` computes it. `scores` [B, K+1] holds each example's normalised scores
 * P = exp(v·m/τ) / Z: column 0 against its own memory row (the positive), columns 1…K against K drawn rows (the
 * negatives). A binary classifier tells data from noise, with K noise draws per positive from P_n = 1/N:
 *
 *   log D1_b  = log( P_b,0 / (P_b,0 + K·P_n + ε) )
 *   log D0_bk = log( K·P_n / (P_b,k + K·P_n + ε) )          k = 1 … K
 *   loss      = −( Σ_b log D1_b + Σ_b Σ_k log D0_bk ) / B
 *
 * PyTorch: `-(torch.log(p0 / (p0 + K/N + eps)).sum() + torch.log((K/N) / (pk + K/N + eps)).sum()) / B`.
 * Takes no τ: the scores arrive normalised (see `contrastScores` and `ContrastMemory`). With `reduction: 'none'`
 * it returns each example's term [B], loss_b = −(log D1_b + Σ_k log D0_bk), whose batch mean is the loss above
 * (equal up to float32 rounding: the sums run in another order).
 */
export function crdNceLoss(scores: tf.Tensor2D, options: CrdNceLossOptions & { readonly reduction?: 'mean' }): tf.Scalar;
export function crdNceLoss(scores: tf.Tensor2D, options: CrdNceLossOptions & { readonly reduction: 'none' }): tf.Tensor1D;
export function crdNceLoss(scores: tf.Tensor2D, options: CrdNceLossOptions): tf.Scalar | tf.Tensor1D;
export function crdNceLoss(scores: tf.Tensor2D, options: CrdNceLossOptions): tf.Scalar | tf.Tensor1D {
  const { datasetSize, eps = 1e-7, reduction = 'mean' } = options;
  if (reduction !== 'mean' && reduction !== 'none') {
    throw new DistilleryError(`crdNceLoss: reduction must be 'mean' or 'none', got '${reduction}'`);
  }
  if (scores.rank !== 2 || (scores.shape[1] as number) < 2) {
    throw new DistilleryError(
      `crdNceLoss: expected scores [B, K+1] with K ≥ 1 negatives, got shape [${scores.shape.join(', ')}]`,
    );
  }
  if (!Number.isInteger(datasetSize) || datasetSize < 1) {
    throw new DistilleryError(`crdNceLoss: datasetSize must be a positive integer, got ${datasetSize}`);
  }
  const [batch, columns] = scores.shape as [number, number];
  const negatives = columns - 1;
  // K · P_n: how much noise mass K draws from the uniform distribution over the training set carry.
  const noise = negatives / datasetSize;
  if (reduction === 'none') {
    return tf.tidy(() => {
      // Each row's Σ_k log D0 as in the mean below: the whole row's sum less column 0's term.
      const positive = tf.reshape(tf.slice(scores, [0, 0], [batch, 1]), [batch]);
      const logD1 = tf.log(tf.div(positive, tf.add(positive, noise + eps)));
      const logD0 = tf.sub(
        tf.sum(tf.log(tf.div(noise, tf.add(scores, noise + eps))), 1),
        tf.log(tf.div(noise, tf.add(positive, noise + eps))),
      );
      return tf.neg(tf.add(logD1, logD0)) as tf.Tensor1D;
    });
  }
  return tf.tidy(() => {
    // Σ_k log D0 over columns 1…K is taken as the sum over every column less column 0's term: tfjs's cpu slice of
    // the [B, K] block copies it element by element (about a second at B = 64, K = 16384), column 0 costs nothing.
    const positive = tf.slice(scores, [0, 0], [batch, 1]);
    const logD1 = tf.log(tf.div(positive, tf.add(positive, noise + eps)));
    const logD0 = tf.sub(
      tf.sum(tf.log(tf.div(noise, tf.add(scores, noise + eps)))),
      tf.sum(tf.log(tf.div(noise, tf.add(positive, noise + eps)))),
    );
    return tf.div(tf.neg(tf.add(tf.sum(logD1), logD0)), batch) as tf.Scalar;
  });
}
