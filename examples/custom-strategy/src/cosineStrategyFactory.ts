import {
  type DistillationStrategy,
  findTeacherOutputs,
  parseOptions,
  resolveTeacherName,
  type StrategyFactory,
} from '@distillery/core';
import { z } from 'zod';
import { cosineLogitsLoss } from './cosineLogitsLoss.js';

const key = 'custom.cosine';

// Strict, so a misspelt option is an error rather than a silently ignored key.
const optionsSchema = z.strictObject({
  /** Default: the experiment's first teacher. */
  teacher: z.string({ error: 'expected a teacher name' }).min(1, { error: 'expected a teacher name' }).optional(),
  /** Default: cosineLogitsLoss's own. */
  epsilon: z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' }).optional(),
});

/**
 * `custom.cosine`: one minus the Pearson correlation between the student's and one teacher's logits, batch mean
 * (see {@link cosineLogitsLoss}). It has no temperature: the loss is blind to the logits' scale.
 */
export const cosineStrategyFactory: StrategyFactory = {
  key,
  description: '1 − Pearson correlation of student and teacher logits (DIST inter-class relation); options: teacher, epsilon',
  create(options, context): DistillationStrategy {
    // Options are untrusted config data: validated once here, so a bad one fails before training, naming the field.
    const { teacher: requested, epsilon } = parseOptions(optionsSchema, options, context.path);
    const teacher = resolveTeacherName(requested, key, context);
    return {
      key,
      loss: (batch) => cosineLogitsLoss(batch.student.logits, findTeacherOutputs(batch, teacher, key).logits, { epsilon }),
    };
  },
};
