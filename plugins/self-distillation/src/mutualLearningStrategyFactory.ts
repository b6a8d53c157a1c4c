import { type DistillationStrategy, DistilleryError, parseOptions, type StrategyFactory } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { mutualLearningLoss } from './mutualLearningLoss.js';

const key = 'online.dml';
const optionsSchema = z.strictObject({
  temperature: z
    .number({ error: 'expected a positive number' })
    .positive({ error: 'expected a positive number' })
    .default(1)
    .describe('softening temperature T > 0 of the mutual KL terms (the paper uses 1)'),
});

/**
 * `online.dml`: deep mutual learning between the student and the experiment's peers (see {@link mutualLearningLoss}),
 * plus each peer's own cross-entropy on the labels; the student's is `task.ce`, so a DML experiment is
 * `strategies: [task.ce, online.dml]` with `peers: [...]` and no teacher. Parts: `mutual` (the KL terms of every
 * model) and `peers` (the peers' cross-entropy, summed).
 */
export const mutualLearningStrategyFactory: StrategyFactory = {
  key,
  description: 'Deep mutual learning (Zhang et al. 2018): student and peers learn from each other’s predictions',
  optionsSchema,
  paper: 'Zhang, Xiang, Hospedales, Lu 2018, "Deep Mutual Learning", CVPR',
  create(options, context): DistillationStrategy {
    const { temperature } = parseOptions(optionsSchema, options, context.path);
    return {
      key,
      lossParts: ['mutual', 'peers'],
      loss: (batch) => {
        const peers = batch.peers ?? [];
        if (peers.length === 0) {
          throw new DistilleryError(
            `${context.path}: ${key} needs peers to learn with; give the experiment peers: [{ name, model }]`,
          );
        }
        return tf.tidy(() => {
          const mutual = mutualLearningLoss([batch.student.logits, ...peers.map(({ logits }) => logits)], { temperature });
          const peerCe = tf.addN(
            peers.map(({ logits }) => tf.losses.softmaxCrossEntropy(tf.oneHot(batch.labels, logits.shape[1]), logits)),
          ) as tf.Scalar;
          return { total: tf.add(mutual, peerCe) as tf.Scalar, parts: { mutual, peers: peerCe } };
        });
      },
    };
  },
};
