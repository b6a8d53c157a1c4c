import { type DistillationStrategy, DistilleryError, parseOptions, type StrategyFactory } from '@distillery/core';
import * as z from 'zod';
import { positiveNumber } from './positiveNumber.js';
import { tfkdLoss } from './tfkdLoss.js';

const optionsSchema = z.strictObject({
  correctProbability: z
    .number({ error: 'expected a number in (0, 1)' })
    .gt(0, { error: 'expected a number in (0, 1)' })
    .lt(1, { error: 'expected a number in (0, 1)' })
    .default(0.99)
    .describe("a: the virtual teacher's probability of the true class (above 1/C); the rest is spread evenly"),
  temperature: positiveNumber.default(20).describe('softening temperature τ > 0'),
  form: z
    .enum(['reference', 'paper'], { error: "expected 'reference' or 'paper'" })
    .default('reference')
    .describe(
      "'reference': the authors' code (softmax of p_d/τ, unsoftened student, mean over B·C); 'paper': τ² · KL at τ on both sides",
    ),
});

/**
 * `response.tfkd`: teacher-free KD against a virtual teacher built from the label (see {@link tfkdLoss}); it needs
 * no teacher model. Pair it with `task.ce`: the reference code's ResNet-18 run on CIFAR-100 is `task.ce` weight 0.9
 * and this term weight 10 (its α = 0.1 times its multiplier 100). `task.ce`'s `labelSmoothing` is the plain
 * label-smoothing baseline the paper compares with.
 */
export const tfkdStrategyFactory: StrategyFactory = {
  key: 'response.tfkd',
  description: 'Teacher-free KD (Yuan et al. 2020): KL to a virtual teacher built from the label, no teacher model',
  optionsSchema,
  paper: 'Yuan, Tay, Li, Wang, Feng 2020, "Revisiting Knowledge Distillation via Label Smoothing Regularization", CVPR',
  create(options, context): DistillationStrategy {
    const settings = parseOptions(optionsSchema, options, context.path);
    return {
      key: 'response.tfkd',
      build: ({ numClasses }) => {
        if (settings.correctProbability <= 1 / numClasses) {
          const field = `${context.path}.correctProbability`;
          throw new DistilleryError(
            `${field}: expected more than 1/C = ${1 / numClasses} so the true class leads, got ${settings.correctProbability}`,
            field,
          );
        }
      },
      loss: (batch) => tfkdLoss(batch.student.logits, batch.labels, settings),
    };
  },
};
