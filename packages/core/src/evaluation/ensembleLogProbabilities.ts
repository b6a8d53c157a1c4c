import * as tf from '@tensorflow/tfjs-core';
import { DistilleryError } from '../errors/DistilleryError.js';

/**
 * Log-probabilities of an ensemble that averages its members' softmax outputs, as born-again network ensembles
 * (BANE; Furlanello et al. 2018, "Born-Again Neural Networks", ICML) average their generations:
 *
 *   p̄ = (1/K) Σ_k softmax(z_k),    log p̄ = logsumexp_k( log softmax(z_k) ) − log K
 *
 * computed from log-softmax through logsumexp, so a probability that underflows in one member stays finite.
 *
 * @param logits z_1 … z_K, each [B, C] of the same shape
 * @returns log p̄, [B, C]
 */
export function ensembleLogProbabilities(logits: readonly tf.Tensor2D[]): tf.Tensor2D {
  const first = logits[0];
  if (first === undefined) throw new DistilleryError('ensembleLogProbabilities: expected the logits of at least one model');
  if (first.rank !== 2) {
    throw new DistilleryError(`ensembleLogProbabilities: expected logits [B, C], got [${first.shape.join(', ')}]`);
  }
  logits.forEach((member, k) => {
    if (!tf.util.arraysEqual(member.shape, first.shape)) {
      throw new DistilleryError(
        `ensembleLogProbabilities: logits ${k} [${member.shape.join(', ')}] and logits 0 [${first.shape.join(', ')}] differ in shape`,
      );
    }
  });
  return tf.tidy(() => {
    const logProbabilities = tf.stack(logits.map((member) => tf.logSoftmax(member)));
    return tf.sub(tf.logSumExp(logProbabilities, 0), Math.log(logits.length)) as tf.Tensor2D;
  });
}
