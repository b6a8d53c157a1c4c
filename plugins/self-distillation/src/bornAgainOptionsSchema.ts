import { experimentSpecSchema, trainingOptionsSchema } from '@distillery/core';
import * as z from 'zod';

const positiveNumber = z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' });
const weight = z.number({ error: 'expected a finite number ≥ 0' }).min(0, { error: 'expected a finite number ≥ 0' });
const integerAtLeastOne = z
  .number({ error: 'expected an integer ≥ 1' })
  .int({ error: 'expected an integer ≥ 1' })
  .min(1, { error: 'expected an integer ≥ 1' });

const distillation = z
  .strictObject({
    temperature: z
      .union(
        [
          positiveNumber,
          z.strictObject({ start: positiveNumber, end: positiveNumber, shape: z.enum(['linear', 'cosine']).optional() }),
        ],
        { error: "expected a positive number or a schedule { start, end, shape: 'linear' | 'cosine' }" },
      )
      .optional(),
    kdWeight: weight.optional(),
    labelWeight: weight.optional(),
    strategies: experimentSpecSchema.shape.strategies.optional(),
  })
  .check((context) => {
    if (context.value.strategies === undefined) return;
    for (const key of ['temperature', 'kdWeight', 'labelWeight'] as const) {
      if (context.value[key] !== undefined) {
        context.issues.push({
          code: 'custom',
          input: context.value[key],
          path: [key],
          message: 'cannot be combined with distillation.strategies, which replaces the default objective',
        });
      }
    }
  });

/** Validates the options of `bornAgainStages` (and the born-again part of `runBornAgain`'s). */
export const bornAgainOptionsSchema = z.strictObject({
  generations: integerAtLeastOne,
  buildStudent: z.custom<(generation: number) => unknown>((value) => typeof value === 'function', {
    error: 'expected a function (generation) => a fresh tf.LayersModel',
  }),
  training: trainingOptionsSchema,
  teacherTraining: trainingOptionsSchema.optional(),
  distillation: distillation.default({}),
  namePrefix: z
    .string({ error: 'expected a name of letters, digits, _ . or -' })
    .regex(/^[\w.-]+$/, { error: 'expected a name of letters, digits, _ . or -' })
    .default('gen'),
});
