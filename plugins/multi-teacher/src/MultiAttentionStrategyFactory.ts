import {
  type DistillationStrategy,
  findTeacherOutputs,
  parseOptions,
  type StrategyCreationContext,
  type StrategyFactory,
  type TapShapes,
} from '@distillery/core';
import {
  attentionOptionFields,
  attentionTransferLoss,
  checkAttentionPair,
  matchSpatialSize,
  tappedFeature,
} from '@distillery/plugin-attention';
import * as tf from '@tensorflow/tfjs-core';
import { inject, injectable } from 'inversify';
import * as z from 'zod';
import { policySelectionShape } from './policySelectionShape.js';
import { prepareTeacherPairPolicy } from './prepareTeacherPairPolicy.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';
import { teacherLayerPairsSchema } from './teacherLayerPairsSchema.js';

const key = 'multi.attention';

const optionsSchema = z.strictObject({
  pairs: teacherLayerPairsSchema,
  ...policySelectionShape('uniform'),
  ...attentionOptionFields,
  beta: attentionOptionFields.beta.describe("the paper's β: each teacher's term is β/2 · Σ at_loss, as in attention.at"),
});

/**
 * `multi.attention`: attention transfer (Zagoruyko & Komodakis 2017, ICLR, eq. 2; reference code
 * szagoruyko/attention-transfer `utils.py`) from several teachers, each example's per-teacher loss
 * weighted by the policy (per-example weighting as in CA-MKD, Zhang et al. 2022):
 *
 *   at_bp = mean_j ( at(S_p)_{b,j} − at(T_p)_{b,j} )²          per pair p: `attentionTransferLoss`, reduction 'none'
 *   L_bk  = (β/2) Σ_{p of teacher k} at_bp
 *   loss  = (1/B) Σ_b Σ_k w_bk · L_bk,   w = policy weights from the teachers' logits
 *
 * at(A) = normalize(mean_c |A|^p); maps of different H×W are brought to the smaller size first (`resize`).
 * Attention maps average over channels, so no adapter is needed. With one teacher this is `attention.at`.
 */
@injectable()
export class MultiAttentionStrategyFactory implements StrategyFactory {
  readonly key = key;
  readonly description =
    'multi-teacher attention transfer: per-example AT losses of several teachers’ layers, weighted by a policy';
  readonly optionsSchema = optionsSchema;
  readonly paper =
    'Zagoruyko, Komodakis 2017, "Paying More Attention to Attention", ICLR; per-example teacher weighting: Zhang, Chen, Wang 2022, "Confidence-Aware Multi-Teacher Knowledge Distillation", ICASSP';

  constructor(@inject(TeacherPolicyRegistry) private readonly policies: TeacherPolicyRegistry) {}

  create(options: unknown, context: StrategyCreationContext): DistillationStrategy {
    const { pairs, p, beta, resize, ...selection } = parseOptions(optionsSchema, options, context.path);
    const { teachers, pairsOf, taps, weightedLoss } = prepareTeacherPairPolicy(this.policies, pairs, selection, key, context);
    const path = context.path;

    return {
      key,
      taps,
      build(shapes: TapShapes) {
        pairs.forEach((pair, i) => {
          const where = `${path}.pairs[${i}]`;
          checkAttentionPair(
            where,
            { shape: shapes.student[pair.student], field: `${where}.student`, what: `student layer '${pair.student}'` },
            {
              shape: shapes.teachers[pair.teacher]?.[pair.teacherLayer],
              field: `${where}.teacherLayer`,
              what: `teacher '${pair.teacher}' layer '${pair.teacherLayer}'`,
            },
            resize,
          );
        });
      },
      loss: (batch) =>
        tf.tidy(() => {
          const outputs = teachers.map((name) => findTeacherOutputs(batch, name, key));
          const perPair = pairs.map((pair) => {
            const studentFeature = tappedFeature(batch.student.features, pair.student, 'student', key);
            const teacherFeature = tappedFeature(
              (outputs[teachers.indexOf(pair.teacher)] as (typeof outputs)[number]).features,
              pair.teacherLayer,
              `teacher '${pair.teacher}'`,
              key,
            );
            const [studentMatched, teacherMatched] = matchSpatialSize(studentFeature, teacherFeature, resize);
            return attentionTransferLoss(studentMatched, teacherMatched, { p, reduction: 'none' });
          });
          const perTeacher = pairsOf.map((indices) =>
            tf.mul(tf.addN(indices.map((index) => perPair[index] as tf.Tensor1D)), beta / 2),
          );
          return weightedLoss(batch, perTeacher);
        }),
    };
  }
}
