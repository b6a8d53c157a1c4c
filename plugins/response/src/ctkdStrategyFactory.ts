import {
  type DistillationStrategy,
  DistilleryError,
  findTeacherOutputs,
  parseOptions,
  resolveTeacherName,
  type StrategyFactory,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import type { CurriculumTemperature } from './CurriculumTemperature.js';
import { ctkdLoss } from './ctkdLoss.js';
import { curriculumLambda } from './curriculumLambda.js';
import { globalCurriculumTemperature } from './globalCurriculumTemperature.js';
import { instanceCurriculumTemperature } from './instanceCurriculumTemperature.js';
import { positiveNumber } from './positiveNumber.js';
import { teacherOption } from './teacherOption.js';

const key = 'response.ctkd';
const nonNegative = z.number({ error: 'expected a number ≥ 0' }).min(0, { error: 'expected a number ≥ 0' });
const positiveInteger = z
  .number({ error: 'expected a positive integer' })
  .int({ error: 'expected a positive integer' })
  .positive({ error: 'expected a positive integer' });

const optionsSchema = z.strictObject({
  teacher: teacherOption,
  mode: z
    .enum(['global', 'instance'], { error: "expected 'global' or 'instance'" })
    .default('global')
    .describe("'global': one learned τ; 'instance': a small module predicts τ per example from both models' probabilities"),
  temperature: z
    .strictObject({
      min: positiveNumber.default(1).describe('lower end of τ'),
      max: positiveNumber.default(21).describe('upper end of τ'),
    })
    .default({ min: 1, max: 21 })
    .refine(({ min, max }) => max > min, { error: 'expected min < max' })
    .describe('τ = min + (max − min) · sigmoid(θ); the reference code’s t_start 1 and t_end 20 give (1, 21)'),
  curriculum: z
    .strictObject({
      lambdaMin: nonNegative.default(0).describe('reversal strength λ at the start'),
      lambdaMax: nonNegative.default(1).describe('λ reached after `epochs` epochs'),
      epochs: positiveInteger.default(10).describe('epochs over which λ rises along a half cosine'),
    })
    .default({ lambdaMin: 0, lambdaMax: 1, epochs: 10 })
    .describe('the cosine schedule of the gradient-reversal strength λ'),
  topK: positiveInteger
    .optional()
    .describe("'instance' mode: how many of the teacher's top classes the module reads; default: all"),
  hidden: positiveInteger.default(256).describe("'instance' mode: width of the module's hidden layer"),
});

/**
 * `response.ctkd`: Hinton KD at a temperature learned adversarially (see {@link ctkdLoss},
 * {@link globalCurriculumTemperature}, {@link instanceCurriculumTemperature}). The temperature module sits behind a
 * gradient-reversal layer whose strength follows {@link curriculumLambda}, so τ moves to make distillation harder
 * as training goes on. Reports the part `temperature`: the batch's mean τ (epoch means go to metrics.jsonl).
 * Pair it with `task.ce`; the reference code's CIFAR runs weigh CE 0.1 and this term 0.9.
 */
export const ctkdStrategyFactory: StrategyFactory = {
  key,
  description: 'CTKD (Li et al. 2023), KD at a temperature learned through gradient reversal on a curriculum',
  optionsSchema,
  paper: 'Li, Li, Yang, Cheng, Cui, Xu, Yang 2023, "Curriculum Temperature for Knowledge Distillation", AAAI',
  create(options, context): DistillationStrategy {
    const {
      teacher: requested,
      mode,
      temperature: range,
      curriculum,
      topK,
      hidden,
    } = parseOptions(optionsSchema, options, context.path);
    const teacher = resolveTeacherName(requested, key, context);
    let module: CurriculumTemperature | undefined;
    return {
      key,
      lossParts: ['temperature'],
      build: ({ numClasses }) => {
        module?.dispose();
        if (topK !== undefined && topK > numClasses) {
          throw new DistilleryError(
            `${context.path}.topK: expected at most the ${numClasses} classes, got ${topK}`,
            `${context.path}.topK`,
          );
        }
        module =
          mode === 'global'
            ? globalCurriculumTemperature(range, context.variableName('temperature'))
            : instanceCurriculumTemperature({
                range,
                numClasses,
                topK: topK ?? numClasses,
                hidden,
                seed: `${context.seed}/${key}`,
                variableName: (local) => context.variableName(`instance/${local}`),
              });
      },
      variables: () => module?.variables() ?? [],
      loss: (batch) => {
        if (module === undefined) throw new Error(`${key}: loss() called before build()`);
        const teacherLogits = findTeacherOutputs(batch, teacher, key).logits;
        const learned = module;
        return tf.tidy(() => {
          const lambda = curriculumLambda(batch.epoch, curriculum);
          const temperatures = learned.temperatures(batch.student.logits, teacherLogits, lambda);
          return {
            total: ctkdLoss(batch.student.logits, teacherLogits, temperatures),
            parts: { temperature: tf.mean(temperatures) as tf.Scalar },
          };
        });
      },
      dispose: () => {
        module?.dispose();
        module = undefined;
      },
    };
  },
};
