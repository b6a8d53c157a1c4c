import {
  type DistillationStrategy,
  findTeacherOutputs,
  parseOptions,
  resolveTeacherName,
  type StrategyFactory,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { dkdTerms } from './dkdTerms.js';
import { dkdWarmup } from './dkdWarmup.js';
import { teacherOption } from './teacherOption.js';

const optionsSchema = z.strictObject({
  teacher: teacherOption,
  alpha: z.number().min(0).default(1).describe('weight α of TCKD, the target-class term'),
  beta: z.number().min(0).default(8).describe('weight β of NCKD, the non-target-class term'),
  temperature: z
    .number({ error: 'expected a positive number' })
    .positive({ error: 'expected a positive number' })
    .default(4)
    .describe('softening temperature T > 0'),
  warmupEpochs: z
    .number()
    .int()
    .min(0)
    .default(20)
    .describe('epochs of linear warm-up, factor min((epoch + 1) / warmupEpochs, 1); 0 turns the warm-up off'),
  standardize: z
    .boolean()
    .default(false)
    .describe('z-score both logits per example first (logit standardization, Sun et al. 2024: "DKD + LS")'),
});

/**
 * `response.dkd`: Decoupled KD against one teacher, α · TCKD + β · NCKD (see {@link dkdLoss}), times a
 * linear warm-up factor min((epoch + 1) / warmupEpochs, 1). Reports the parts `tckd` and `nckd`, each
 * T²-scaled and unweighted (before α, β and the warm-up), so a run shows which part moves.
 * `standardize: true` z-scores both logits first ("DKD + LS", see {@link standardizeLogits}).
 *
 * mdistiller (`DKD.forward_train`) uses min(epoch / warmup, 1) with epochs counted from 1; the kernel's
 * `context.epoch` counts from 0, hence epoch + 1: the first epoch gets 1 / warmupEpochs, as in mdistiller.
 */
export const dkdStrategyFactory: StrategyFactory = {
  key: 'response.dkd',
  description: 'Decoupled KD (Zhao et al. 2022), α·TCKD + β·NCKD with warm-up',
  optionsSchema,
  paper: 'Zhao, Cui, Song, Qiu, Liang 2022, "Decoupled Knowledge Distillation", CVPR',
  create(options, context): DistillationStrategy {
    const {
      teacher: requested,
      alpha,
      beta,
      temperature,
      warmupEpochs,
      standardize,
    } = parseOptions(optionsSchema, options, context.path);
    const teacher = resolveTeacherName(requested, 'response.dkd', context);
    return {
      key: 'response.dkd',
      lossParts: ['tckd', 'nckd'],
      loss: (batch) => {
        const warmup = dkdWarmup(batch.epoch, warmupEpochs);
        const teacherLogits = findTeacherOutputs(batch, teacher, 'response.dkd').logits;
        // The kernel's tidy would free the intermediates anyway; this one keeps a stand-alone call leak-free.
        return tf.tidy(() => {
          const { tckd, nckd } = dkdTerms(batch.student.logits, teacherLogits, batch.labels, { temperature, standardize });
          // The same ops as dkdLoss, so the total matches a call of it bit for bit.
          const total = tf.mul(tf.add(tf.mul(tckd, alpha), tf.mul(nckd, beta)), warmup) as tf.Scalar;
          return { total, parts: { tckd, nckd } };
        });
      },
    };
  },
};
