import { type DistillationStrategy, parseOptions, resolveTeacherName, type StrategyFactory } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { pairRelationStrategy } from './pairRelationStrategy.js';
import { relationPairsSchema } from './relationPairsSchema.js';
import { rkdTerms } from './rkdTerms.js';
import { teacherNameSchema } from './teacherNameSchema.js';

const key = 'relation.rkd';
const nonNegative = z.number({ error: 'expected a number ≥ 0' }).min(0, { error: 'expected a number ≥ 0' });

const optionsSchema = z
  .strictObject({
    teacher: teacherNameSchema,
    pairs: relationPairsSchema,
    distanceWeight: nonNegative.default(25).describe('weight of the distance term (the paper’s λ_D = 25)'),
    angleWeight: nonNegative.default(50).describe('weight of the angle term (the paper’s λ_A = 50)'),
  })
  .refine(({ distanceWeight, angleWeight }) => distanceWeight + angleWeight > 0, {
    error: 'expected distanceWeight or angleWeight above 0',
  });

/**
 * `relation.rkd`: relational KD, distanceWeight · distance + angleWeight · angle averaged over the pairs (see
 * {@link rkdTerms}, {@link rkdLoss}). Reports the parts `distance` and `angle`, unweighted. RepDistiller applies it
 * to the penultimate embedding (a zoo model's `<name>_pool`) with this term's weight 1 beside CE.
 */
export const rkdStrategyFactory: StrategyFactory = {
  key,
  description: 'RKD (Park et al. 2019): distances and angles between examples’ embeddings, as the teacher has them',
  optionsSchema,
  paper: 'Park, Kim, Lu, Cho 2019, "Relational Knowledge Distillation", CVPR',
  create(options, context): DistillationStrategy {
    const { teacher: requested, pairs, distanceWeight, angleWeight } = parseOptions(optionsSchema, options, context.path);
    return pairRelationStrategy({
      key,
      context,
      teacher: resolveTeacherName(requested, key, context),
      pairs,
      lossParts: ['distance', 'angle'],
      termsOf: (student, teacher) => rkdTerms(student, teacher),
      totalOf: ({ distance, angle }) =>
        tf.add(tf.mul(distance as tf.Scalar, distanceWeight), tf.mul(angle as tf.Scalar, angleWeight)) as tf.Scalar,
    });
  },
};
