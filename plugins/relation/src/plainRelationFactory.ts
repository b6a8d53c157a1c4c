import { type DistillationStrategy, parseOptions, resolveTeacherName, type StrategyFactory } from '@distillery/core';
import type * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { pairRelationStrategy } from './pairRelationStrategy.js';
import { relationPairsSchema } from './relationPairsSchema.js';
import { teacherNameSchema } from './teacherNameSchema.js';

const optionsSchema = z.strictObject({ teacher: teacherNameSchema, pairs: relationPairsSchema });

/**
 * The factory of a relation method without options of its own (PKT, SP): `teacher` and `pairs` only, the loss
 * averaged over the pairs, or taken on the logits when there are none (see {@link pairRelationStrategy}).
 */
export function plainRelationFactory(method: {
  readonly key: string;
  readonly description: string;
  readonly paper: string;
  readonly loss: (student: tf.Tensor, teacher: tf.Tensor) => tf.Scalar;
}): StrategyFactory {
  const { key, loss } = method;
  return {
    key,
    description: method.description,
    optionsSchema,
    paper: method.paper,
    create(options, context): DistillationStrategy {
      const { teacher: requested, pairs } = parseOptions(optionsSchema, options, context.path);
      return pairRelationStrategy({
        key,
        context,
        teacher: resolveTeacherName(requested, key, context),
        pairs,
        termsOf: (student, teacher) => ({ loss: loss(student, teacher) }),
        totalOf: (terms) => terms.loss as tf.Scalar,
      });
    },
  };
}
