import {
  type DistillationStrategy,
  findTeacherOutputs,
  parseOptions,
  resolveTeacherName,
  type StrategyFactory,
} from '@distillery/core';
import * as z from 'zod';
import { kdLoss } from './kdLoss.js';
import { positiveNumber } from './positiveNumber.js';
import { teacherOption } from './teacherOption.js';
import { temperatureAt } from './temperatureAt.js';
import { trainingProgress } from './trainingProgress.js';

const optionsSchema = z.strictObject({
  teacher: teacherOption,
  temperature: z
    .union(
      [
        positiveNumber,
        z.strictObject({
          start: positiveNumber.describe('T at the start of training'),
          end: positiveNumber.describe('T at the end of training'),
          shape: z
            .enum(['linear', 'cosine'])
            .default('linear')
            .describe("'linear' interpolates directly; 'cosine' follows half a cosine, slow at both ends"),
        }),
      ],
      { error: "expected a positive number or a schedule { start, end, shape: 'linear' | 'cosine' }" },
    )
    .default(4)
    .describe('softening temperature T > 0, or a schedule { start, end, shape } over training progress'),
  standardize: z
    .boolean()
    .default(false)
    .describe('z-score both logits per example first (logit standardization, Sun et al. 2024: "KD + LS")'),
});

/**
 * `response.kd`: Hinton KD against one teacher, T² · batchmean KL(softmax(z_t/T) ‖ softmax(z_s/T)) (see {@link kdLoss}).
 * The temperature is fixed or follows a schedule over training progress step / (epochs · stepsPerEpoch).
 * `standardize: true` z-scores both logits first ("KD + LS", see {@link standardizeLogits}).
 */
export const kdStrategyFactory: StrategyFactory = {
  key: 'response.kd',
  description: 'Hinton KD, T² · KL(teacher ‖ student) on softened logits',
  optionsSchema,
  paper: 'Hinton, Vinyals, Dean 2015, "Distilling the Knowledge in a Neural Network", NIPS Deep Learning Workshop',
  create(options, context): DistillationStrategy {
    const { teacher: requested, temperature, standardize } = parseOptions(optionsSchema, options, context.path);
    const teacher = resolveTeacherName(requested, 'response.kd', context);
    return {
      key: 'response.kd',
      loss: (batch) =>
        kdLoss(batch.student.logits, findTeacherOutputs(batch, teacher, 'response.kd').logits, {
          temperature: temperatureAt(temperature, trainingProgress(batch)),
          standardize,
        }),
    };
  },
};
