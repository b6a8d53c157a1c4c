import { type DistillationStrategy, parseOptions, resolveTeacherName, type StrategyFactory } from '@distillery/core';
import type * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { correlationCongruenceLoss } from './correlationCongruenceLoss.js';
import { pairRelationStrategy } from './pairRelationStrategy.js';
import { positiveNumber } from './positiveNumber.js';
import { relationPairsSchema } from './relationPairsSchema.js';
import { teacherNameSchema } from './teacherNameSchema.js';

const key = 'relation.cc';
const optionsSchema = z.strictObject({
  teacher: teacherNameSchema,
  pairs: relationPairsSchema,
  gamma: positiveNumber.default(0.4).describe('γ of the Gaussian kernel exp(−γ|f_i − f_j|²)'),
  order: z
    .number({ error: 'expected an integer ≥ 0' })
    .int({ error: 'expected an integer ≥ 0' })
    .min(0, { error: 'expected an integer ≥ 0' })
    .default(2)
    .describe('P, the last power of the Taylor series of the kernel'),
  normalize: z.boolean().default(true).describe('L2-normalise each example’s features first (false: torchdistill’s CCKDLoss)'),
  norm: z
    .enum(['squared', 'frobenius'], { error: "expected 'squared' or 'frobenius'" })
    .default('squared')
    .describe("'squared': ‖C_t − C_s‖²_F / B² (the paper's); 'frobenius': ‖C_t − C_s‖_F / B² (torchdistill's)"),
});

/**
 * `relation.cc`: correlation congruence, the difference of the example-to-example correlation matrices under the
 * Taylor-expanded Gaussian RBF kernel, averaged over the pairs (see {@link correlationCongruenceLoss}). The paper
 * relates the penultimate embedding (a zoo model's `<name>_pool`).
 */
export const correlationCongruenceStrategyFactory: StrategyFactory = {
  key,
  description: 'CC (Peng et al. 2019): match the example-to-example correlations under a Gaussian RBF kernel',
  optionsSchema,
  paper: 'Peng, Jin, Liu, Li, Wu, Liu, Zhou, Zhang 2019, "Correlation Congruence for Knowledge Distillation", ICCV',
  create(options, context): DistillationStrategy {
    const { teacher: requested, pairs, ...kernel } = parseOptions(optionsSchema, options, context.path);
    return pairRelationStrategy({
      key,
      context,
      teacher: resolveTeacherName(requested, key, context),
      pairs,
      termsOf: (student, teacher) => ({ cc: correlationCongruenceLoss(student, teacher, kernel) }),
      totalOf: ({ cc }) => cc as tf.Scalar,
    });
  },
};
