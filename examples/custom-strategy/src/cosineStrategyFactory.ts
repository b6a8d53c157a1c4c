import {
  type DistillationStrategy,
  findTeacherOutputs,
  parseOptions,
  resolveTeacherName,
  type StrategyFactory,
} from '@distillery/core';
import * as z from 'zod';
import { cosineLogitsLoss } from './cosineLogitsLoss.js';

const key = 'custom.cosine';

// Strict, so a misspelt option is an error rather than a silently ignored key.
const optionsSchema = z.strictObject({
  // Descriptions are what `distillery strategies` and editors (through the config's JSON Schema) show.
  teacher: z
    .string({ error: 'expected a teacher name' })
    .min(1, { error: 'expected a teacher name' })
    .optional()
    .describe("the teacher to learn from; default: the experiment's first teacher"),
  epsilon: z
    .number({ error: 'expected a positive number' })
    .positive({ error: 'expected a positive number' })
    .optional()
    .describe('ε under the norms, so that a constant row of logits keeps a finite gradient; default 1e-6'),
});

/**
 * `custom.cosine`: one minus the Pearson correlation between the student's and one teacher's logits, batch mean
 * (see {@link cosineLogitsLoss}). It has no temperature: the loss is blind to the logits' scale.
 */
export const cosineStrategyFactory: StrategyFactory = {
  key,
  description: '1 − Pearson correlation of student and teacher logits (DIST inter-class relation)',
  // The schema `create` parses with: listings and the config's JSON Schema then show exactly what it accepts.
  optionsSchema,
  paper:
    'Huang, You, Wang, Qian, Xu 2022, "Knowledge Distillation from A Stronger Teacher", NeurIPS (DIST’s inter-class term, on logits)',
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
