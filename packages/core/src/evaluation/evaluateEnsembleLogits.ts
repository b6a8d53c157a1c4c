import * as tf from '@tensorflow/tfjs-core';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { EnsembleEvaluation } from './EnsembleEvaluation.js';
import { ensembleLogProbabilities } from './ensembleLogProbabilities.js';
import type { DatasetLogits } from './inferLogits.js';

/**
 * {@link evaluateEnsemble}'s figures from the members' logits on the same dataset ({@link inferLogits}): accuracy and
 * mean cross-entropy of p̄ = (1/K) Σ_k softmax(z_k), computed `batchSize` rows at a time as a pass over the data would
 * compute them, so that the values are those of that pass exactly. Frees every tensor it allocates.
 */
export function evaluateEnsembleLogits(members: readonly DatasetLogits[], batchSize = 128): EnsembleEvaluation {
  const first = members[0];
  if (first === undefined) throw new DistilleryError('members: expected the logits of at least one model', 'members');
  const { labels, classes } = first;
  for (const [k, member] of members.entries()) {
    if (member.classes !== classes || member.labels.length !== labels.length) {
      throw new DistilleryError(
        `members[${k}]: ${member.labels.length} examples of ${member.classes} classes, members[0] ${labels.length} of ${classes}`,
      );
    }
  }
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < labels.length; start += batchSize) {
    const end = Math.min(labels.length, start + batchSize);
    const [loss, predicted] = tf.tidy(() => {
      const logits = members.map((member) =>
        tf.tensor2d(member.logits.subarray(start * classes, end * classes), [end - start, classes]),
      );
      const logProbabilities = ensembleLogProbabilities(logits);
      const targets = tf.oneHot(tf.tensor1d(labels.subarray(start, end), 'int32'), classes);
      return [tf.neg(tf.sum(tf.mul(targets, logProbabilities))).dataSync(), tf.argMax(logProbabilities, 1).dataSync()];
    });
    lossSum += loss[0] as number;
    for (let i = start; i < end; i++) if (predicted[i - start] === labels[i]) correct++;
  }
  const n = Math.max(1, labels.length);
  return { accuracy: correct / n, loss: lossSum / n, examples: labels.length };
}
