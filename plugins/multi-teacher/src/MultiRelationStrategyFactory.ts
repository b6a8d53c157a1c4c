import {
  type DistillationStrategy,
  DistilleryError,
  findTeacherOutputs,
  parseOptions,
  resizeBilinearHalfPixel,
  type StrategyCreationContext,
  type StrategyFactory,
  type TapShapes,
} from '@distillery/core';
import { correlationCongruenceLoss, nstLoss, pktLoss, rkdTerms, similarityPreservingLoss } from '@distillery/plugin-relation';
import * as tf from '@tensorflow/tfjs-core';
import { inject, injectable } from 'inversify';
import * as z from 'zod';
import { policySelectionShape } from './policySelectionShape.js';
import { prepareTeacherPairPolicy } from './prepareTeacherPairPolicy.js';
import { relationMethodSchema } from './relationMethodSchema.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';
import { teacherLayerPairsSchema } from './teacherLayerPairsSchema.js';

const key = 'multi.relation';

const optionsSchema = z.strictObject({
  method: relationMethodSchema.describe("the relation loss: 'rkd', 'pkt', 'sp', 'nst', 'cc', or { name, …options }"),
  pairs: teacherLayerPairsSchema,
  ...policySelectionShape('uniform'),
});

type Method = z.infer<typeof relationMethodSchema>;

/**
 * `multi.relation`: a relation method of @distillery/plugin-relation (RKD, PKT, SP, NST, CC) from several
 * teachers, each example's per-teacher loss weighted by the policy, as `multi.hint` does for hints:
 *
 *   R_bp = example b's share of the relation loss of pair p    (the loss with reduction 'none': its anchor row)
 *   L_bk = (1/P_k) Σ_{p of teacher k} R_bp
 *   loss = (1/B) Σ_b Σ_k w_bk · L_bk,   w = policy weights from the teachers' logits
 *
 * Each teacher's relations are its own (they compare its examples with each other), so teachers of different
 * widths mix freely. With one teacher and one pair this is the `relation.*` strategy on that pair. NST resizes a
 * student map of another H×W to the teacher's bilinearly, as `relation.nst` does; CC uses the squared norm (the
 * paper's; the Frobenius form has no per-example share).
 */
@injectable()
export class MultiRelationStrategyFactory implements StrategyFactory {
  readonly key = key;
  readonly description =
    'multi-teacher relational KD: per-example RKD/PKT/SP/NST/CC losses of several teachers, weighted by a policy';
  readonly optionsSchema = optionsSchema;
  readonly paper =
    'the relation methods of @distillery/plugin-relation (Park et al. 2019; Passalis & Tefas 2018; Tung & Mori 2019; Huang & Wang 2017; Peng et al. 2019), per-example teacher weighting as in Zhang, Chen, Wang 2022, "Confidence-Aware Multi-Teacher Knowledge Distillation", ICASSP';

  constructor(@inject(TeacherPolicyRegistry) private readonly policies: TeacherPolicyRegistry) {}

  create(options: unknown, context: StrategyCreationContext): DistillationStrategy {
    const { method, pairs, ...selection } = parseOptions(optionsSchema, options, context.path);
    const { pairsOf, taps, weightedLoss } = prepareTeacherPairPolicy(this.policies, pairs, selection, key, context);
    return {
      key,
      taps,
      build: (shapes: TapShapes) => {
        if (method.name !== 'nst') return;
        pairs.forEach((pair, index) => {
          const [student, teacher] = [shapes.student[pair.student], shapes.teachers[pair.teacher]?.[pair.teacherLayer]];
          if (student?.length !== 4 || teacher?.length !== 4) {
            const where = `${context.path}.pairs[${index}]`;
            throw new DistilleryError(
              `${where}: NST compares feature maps [B, H, W, C]; got student [${student?.join(', ')}] and teacher [${teacher?.join(', ')}]`,
              where,
            );
          }
        });
      },
      loss: (batch) =>
        tf.tidy(() => {
          const perPair = pairs.map((pair) => {
            const student = batch.student.features[pair.student];
            const teacher = findTeacherOutputs(batch, pair.teacher, key).features[pair.teacherLayer];
            if (student === undefined || teacher === undefined) {
              throw new Error(`${key}: the kernel did not tap '${pair.student}' or '${pair.teacherLayer}'`);
            }
            return perExampleRelation(method, student, teacher);
          });
          const perTeacher = pairsOf.map((indices) =>
            tf.div(tf.addN(indices.map((index) => perPair[index] as tf.Tensor1D)), indices.length),
          );
          return weightedLoss(batch, perTeacher);
        }),
    };
  }
}

/** Each example's share [B] of the method's loss on one pair. */
function perExampleRelation(method: Method, student: tf.Tensor, teacher: tf.Tensor): tf.Tensor1D {
  switch (method.name) {
    case 'rkd': {
      const { distance, angle } = rkdTerms(student, teacher, { reduction: 'none' });
      return tf.add(tf.mul(distance, method.distanceWeight), tf.mul(angle, method.angleWeight));
    }
    case 'pkt':
      return pktLoss(student, teacher, { reduction: 'none' });
    case 'sp':
      return similarityPreservingLoss(student, teacher, { reduction: 'none' });
    case 'nst': {
      const size: [number, number] = [teacher.shape[1] as number, teacher.shape[2] as number];
      const same = student.shape[1] === size[0] && student.shape[2] === size[1];
      return nstLoss(same ? student : resizeBilinearHalfPixel(student as tf.Tensor4D, size), teacher, { reduction: 'none' });
    }
    case 'cc':
      return correlationCongruenceLoss(student, teacher, {
        gamma: method.gamma,
        order: method.order,
        normalize: method.normalize,
        reduction: 'none',
      }) as tf.Tensor1D;
  }
}
