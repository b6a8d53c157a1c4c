import {
  type DistillationStrategy,
  findTeacherOutputs,
  parseOptions,
  resolveTeacherName,
  type StrategyFactory,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { distTerms } from './distTerms.js';
import { positiveNumber } from './positiveNumber.js';
import { teacherOption } from './teacherOption.js';

const optionsSchema = z.strictObject({
  teacher: teacherOption,
  beta: positiveNumber.default(1).describe('weight β of the inter-class relation (per example, across classes)'),
  gamma: positiveNumber.default(1).describe('weight γ of the intra-class relation (per class, across the batch)'),
  temperature: positiveNumber.default(1).describe('softening temperature T > 0'),
});

/**
 * `response.dist`: DIST against one teacher, T² · (β · inter + γ · intra) (see {@link distLoss}). Reports the
 * parts `inter` and `intra`, each T²-scaled and unweighted (before β and γ).
 */
export const distStrategyFactory: StrategyFactory = {
  key: 'response.dist',
  description: 'DIST (Huang et al. 2022), Pearson-correlation relations between and within classes',
  optionsSchema,
  paper: 'Huang, You, Wang, Qian, Xu 2022, "Knowledge Distillation from A Stronger Teacher", NeurIPS',
  create(options, context): DistillationStrategy {
    const { teacher: requested, beta, gamma, temperature } = parseOptions(optionsSchema, options, context.path);
    const teacher = resolveTeacherName(requested, 'response.dist', context);
    return {
      key: 'response.dist',
      lossParts: ['inter', 'intra'],
      loss: (batch) => {
        const teacherLogits = findTeacherOutputs(batch, teacher, 'response.dist').logits;
        return tf.tidy(() => {
          const { inter, intra } = distTerms(batch.student.logits, teacherLogits, { temperature });
          // The same ops as distLoss, so the total matches a call of it bit for bit.
          const total = tf.add(tf.mul(inter, beta), tf.mul(intra, gamma)) as tf.Scalar;
          return { total, parts: { inter, intra } };
        });
      },
    };
  },
};
