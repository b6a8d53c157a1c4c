import {
  type DistillationStrategy,
  DistilleryError,
  findTeacherOutputs,
  parseOptions,
  type StrategyCreationContext,
  type StrategyFactory,
  type SymbolicShape,
  type TapShapes,
} from '@distillery/core';
import { describeResizeProblem, matchSpatialSize } from '@distillery/plugin-attention';
import * as tf from '@tensorflow/tfjs-core';
import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { groupPairsByTeacher } from './groupPairsByTeacher.js';
import { perExampleAttentionLoss } from './perExampleAttentionLoss.js';
import { policySelectionShape } from './policySelectionShape.js';
import { selectPolicy } from './selectPolicy.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';
import { teacherLayerPairsSchema } from './teacherLayerPairsSchema.js';
import { teacherWeights } from './teacherWeights.js';
import { weightedTeacherLoss } from './weightedTeacherLoss.js';

const key = 'multi.attention';

const optionsSchema = z.strictObject({
  pairs: teacherLayerPairsSchema,
  ...policySelectionShape('uniform'),
  p: z
    .number({ error: 'expected a number ≥ 1' })
    .min(1, { error: 'expected a number ≥ 1 (below 1, |A|^p has an infinite slope at zero activations)' })
    .default(2),
  /** The paper's β; each teacher's term is β/2 · Σ at_loss, as in `attention.at`. */
  beta: z.number({ error: 'expected a finite number ≥ 0' }).min(0, { error: 'expected a finite number ≥ 0' }).default(1000),
  resize: z.enum(['avgpool', 'bilinear'], { error: "expected 'avgpool' or 'bilinear'" }).default('avgpool'),
});

/**
 * `multi.attention`: attention transfer (Zagoruyko & Komodakis 2017, ICLR, eq. 2; reference code
 * szagoruyko/attention-transfer `utils.py`) from several teachers, each example's per-teacher loss
 * weighted by the policy (per-example weighting as in CA-MKD, Zhang et al. 2022):
 *
 *   at_bp = mean_j ( at(S_p)_{b,j} − at(T_p)_{b,j} )²          per pair p, over the example's H·W positions
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
    'multi-teacher attention transfer: per-example AT losses of several teachers’ layers, weighted by a policy; options: pairs, policy, temperature, weights, policyOptions, p, beta, resize';

  constructor(@inject(TeacherPolicyRegistry) private readonly policies: TeacherPolicyRegistry) {}

  create(options: unknown, context: StrategyCreationContext): DistillationStrategy {
    const { pairs, p, beta, resize, ...selection } = parseOptions(optionsSchema, options, context.path);
    const { teachers, pairsOf, taps } = groupPairsByTeacher(pairs, key, context);
    const { policy, options: policyOptions } = selectPolicy(this.policies, selection, teachers.length, context.path);
    const { temperature } = selection;
    const path = context.path;

    return {
      key,
      taps,
      build(shapes: TapShapes) {
        // Checked here, before training, so a wrong layer choice fails at once instead of on the first batch.
        pairs.forEach((pair, i) => {
          const studentSize = spatialSize(
            shapes.student[pair.student],
            `${path}.pairs[${i}].student`,
            `student layer '${pair.student}'`,
          );
          const teacherSize = spatialSize(
            shapes.teachers[pair.teacher]?.[pair.teacherLayer],
            `${path}.pairs[${i}].teacherLayer`,
            `teacher '${pair.teacher}' layer '${pair.teacherLayer}'`,
          );
          if (studentSize === undefined || teacherSize === undefined) return;
          const problem = describeResizeProblem(studentSize, teacherSize, resize);
          if (problem !== undefined) throw new DistilleryError(`${path}.pairs[${i}]: ${problem}`, `${path}.pairs[${i}]`);
        });
      },
      loss: (batch) =>
        tf.tidy(() => {
          const outputs = teachers.map((name) => findTeacherOutputs(batch, name, key));
          const perPair = pairs.map((pair) => {
            const studentFeature = tappedFeature(batch.student.features, pair.student, 'student');
            const teacherFeature = tappedFeature(
              (outputs[teachers.indexOf(pair.teacher)] as (typeof outputs)[number]).features,
              pair.teacherLayer,
              `teacher '${pair.teacher}'`,
            );
            const [studentMatched, teacherMatched] = matchSpatialSize(studentFeature, teacherFeature, resize);
            return perExampleAttentionLoss(studentMatched, teacherMatched, { p });
          });
          const perTeacher = pairsOf.map((indices) =>
            tf.mul(tf.addN(indices.map((index) => perPair[index] as tf.Tensor1D)), beta / 2),
          );
          const weights = teacherWeights(
            outputs.map(({ logits }) => logits),
            batch.labels,
            { policy, temperature, policyOptions, step: batch.step, seed: context.seed },
          );
          return weightedTeacherLoss(perTeacher, weights);
        }),
    };
  }
}

/** [H, W] of an NHWC layer output, or `undefined` when the model leaves them open (fully convolutional). */
function spatialSize(shape: SymbolicShape | undefined, field: string, what: string): [number, number] | undefined {
  if (shape === undefined) throw new DistilleryError(`${field}: ${what} was not tapped`, field);
  if (shape.length !== 4) {
    const shown = shape.map((dimension) => dimension ?? 'B').join(', ');
    throw new DistilleryError(`${field}: ${what} outputs [${shown}]; attention maps need NHWC feature maps [B, H, W, C]`, field);
  }
  const [, height, width] = shape;
  return typeof height === 'number' && typeof width === 'number' ? [height, width] : undefined;
}

function tappedFeature(features: Readonly<Record<string, tf.Tensor>>, layer: string, role: string): tf.Tensor {
  const feature = features[layer];
  if (feature === undefined) throw new DistilleryError(`${key}: the ${role} outputs have no tapped layer '${layer}'`);
  return feature;
}
