import {
  type DistillationStrategy,
  findTeacherOutputs,
  parseOptions,
  resolveTeacherName,
  type StrategyFactory,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { dkdLoss } from './dkdLoss.js';

const optionsSchema = z.strictObject({
  /** Default: the experiment's first teacher. */
  teacher: z.string().min(1).optional(),
  alpha: z.number().min(0).default(1),
  beta: z.number().min(0).default(8),
  temperature: z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' }).default(4),
  /** 0 turns the warm-up off. */
  warmupEpochs: z.number().int().min(0).default(20),
});

/**
 * `response.dkd`: Decoupled KD against one teacher, α · TCKD + β · NCKD (see {@link dkdLoss}), times a
 * linear warm-up factor min((epoch + 1) / warmupEpochs, 1).
 *
 * mdistiller (`DKD.forward_train`) uses min(epoch / warmup, 1) with epochs counted from 1; the kernel's
 * `context.epoch` counts from 0, hence epoch + 1: the first epoch gets 1 / warmupEpochs, as in mdistiller.
 */
export const dkdStrategyFactory: StrategyFactory = {
  key: 'response.dkd',
  description:
    'Decoupled KD (Zhao et al. 2022), α·TCKD + β·NCKD with warm-up; options: teacher, alpha, beta, temperature, warmupEpochs',
  create(options, context): DistillationStrategy {
    const { teacher: requested, alpha, beta, temperature, warmupEpochs } = parseOptions(optionsSchema, options, context.path);
    const teacher = resolveTeacherName(requested, 'response.dkd', context);
    return {
      key: 'response.dkd',
      loss: (batch) => {
        const warmup = warmupEpochs === 0 ? 1 : Math.min((batch.epoch + 1) / warmupEpochs, 1);
        return tf.tidy(() => {
          const loss = dkdLoss(batch.student.logits, findTeacherOutputs(batch, teacher, 'response.dkd').logits, batch.labels, {
            alpha,
            beta,
            temperature,
          });
          return tf.mul(loss, warmup) as tf.Scalar;
        });
      },
    };
  },
};
