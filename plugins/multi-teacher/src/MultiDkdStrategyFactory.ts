import {
  type DistillationStrategy,
  findTeacherOutputs,
  parseOptions,
  type StrategyCreationContext,
  type StrategyFactory,
} from '@distillery/core';
import { dkdTerms, dkdWarmup } from '@distillery/plugin-response';
import * as tf from '@tensorflow/tfjs-core';
import { inject, injectable } from 'inversify';
import * as z from 'zod';
import { policySelectionShape } from './policySelectionShape.js';
import { resolveTeacherNames } from './resolveTeacherNames.js';
import { selectPolicy } from './selectPolicy.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';
import { teacherNamesSchema } from './teacherNamesSchema.js';
import { teacherWeights } from './teacherWeights.js';
import { weightedTeacherLoss } from './weightedTeacherLoss.js';

const key = 'multi.dkd';

const selection = policySelectionShape('uniform');
const nonNegative = { error: 'expected a number ≥ 0' };
const epochCount = { error: 'expected a whole number of epochs ≥ 0' };

const optionsSchema = z.strictObject({
  teachers: teacherNamesSchema,
  ...selection,
  temperature: selection.temperature.describe(
    'T > 0: DKD’s softening temperature for every teacher’s TCKD and NCKD, and the temperature the policy reads',
  ),
  alpha: z.number(nonNegative).min(0, nonNegative).default(1).describe('weight α of TCKD, the target-class term'),
  beta: z.number(nonNegative).min(0, nonNegative).default(8).describe('weight β of NCKD, the non-target-class term'),
  warmupEpochs: z
    .number(epochCount)
    .int(epochCount)
    .min(0, epochCount)
    .default(20)
    .describe('epochs of linear warm-up, factor min((epoch + 1) / warmupEpochs, 1); 0 turns the warm-up off'),
  standardize: z
    .boolean({ error: 'expected true or false' })
    .default(false)
    .describe('z-score the student’s and every teacher’s logits per example first (DKD + LS, Sun et al. 2024)'),
});

/**
 * `multi.dkd`: Decoupled KD (Zhao et al. 2022; see `dkdLoss` of @distillery/plugin-response) from K teachers,
 * each example's per-teacher DKD weighted by the policy, as CA-MKD weights per-example losses (Zhang et al. 2022)
 * and as `multi.hint` / `multi.relation` do:
 *
 *   TCKD_bk, NCKD_bk = teacher k's terms on example b     (`dkdTerms` with reduction 'none', T²-scaled)
 *   L_bk = α · TCKD_bk + β · NCKD_bk
 *   loss = min((epoch + 1) / warmupEpochs, 1) · (1/B) Σ_b Σ_k w_bk · L_bk,   w = policy weights [B, K]
 *
 * computed, by linearity, as warm-up · (α · tckd + β · nckd) from the parts tckd = (1/B) Σ_b Σ_k w_bk · TCKD_bk and
 * nckd likewise — the same ops as `response.dkd`, whose convention the parts follow: T²-scaled, before α, β and
 * the warm-up. The warm-up factor is `response.dkd`'s (zero-based epochs, so the first epoch gets 1/warmupEpochs).
 *
 * DKD needs each teacher's own logits (its target / non-target split), so a target-combining policy (`mean-probs`,
 * `mean-logits`) contributes only its `weights()`, which for the built-in ones are 1/K: they act as `uniform` here.
 * With one teacher every built-in policy gives w = 1, and this is `response.dkd`.
 */
@injectable()
export class MultiDkdStrategyFactory implements StrategyFactory {
  readonly key = key;
  readonly description =
    'multi-teacher Decoupled KD: each teacher’s per-example α·TCKD + β·NCKD, weighted by a policy, with warm-up';
  readonly optionsSchema = optionsSchema;
  readonly paper =
    'Zhao, Cui, Song, Qiu, Liang 2022, "Decoupled Knowledge Distillation", CVPR; per-example teacher weighting as in Zhang, Chen, Wang 2022, "Confidence-Aware Multi-Teacher Knowledge Distillation", ICASSP';

  constructor(@inject(TeacherPolicyRegistry) private readonly policies: TeacherPolicyRegistry) {}

  create(options: unknown, context: StrategyCreationContext): DistillationStrategy {
    const parsed = parseOptions(optionsSchema, options, context.path);
    const teachers = resolveTeacherNames(parsed.teachers, key, context);
    const { policy, options: policyOptions } = selectPolicy(this.policies, parsed, teachers.length, context.path);
    const { temperature, alpha, beta, warmupEpochs, standardize } = parsed;
    const seed = context.seed;

    return {
      key,
      lossParts: ['tckd', 'nckd'],
      loss: (batch) => {
        const warmup = dkdWarmup(batch.epoch, warmupEpochs);
        const teacherLogits = teachers.map((name) => findTeacherOutputs(batch, name, key).logits);
        // The kernel's tidy would free the intermediates anyway; this one keeps a stand-alone call leak-free.
        return tf.tidy(() => {
          const perTeacher = teacherLogits.map((logits) =>
            dkdTerms(batch.student.logits, logits, batch.labels, { temperature, standardize, reduction: 'none' }),
          );
          const weights = teacherWeights(teacherLogits, batch.labels, {
            policy,
            temperature,
            policyOptions,
            step: batch.step,
            seed,
          });
          const tckd = weightedTeacherLoss(
            perTeacher.map((terms) => terms.tckd),
            weights,
          );
          const nckd = weightedTeacherLoss(
            perTeacher.map((terms) => terms.nckd),
            weights,
          );
          const total = tf.mul(tf.add(tf.mul(tckd, alpha), tf.mul(nckd, beta)), warmup) as tf.Scalar;
          return { total, parts: { tckd, nckd } };
        });
      },
    };
  }
}
