import {
  type DistillationStrategy,
  parseOptions,
  type StrategyCreationContext,
  type StrategyFactory,
  type TapShapes,
} from '@distillery/core';
import { HintAdapterSet } from '@distillery/plugin-feature';
import * as tf from '@tensorflow/tfjs-core';
import { inject, injectable } from 'inversify';
import * as z from 'zod';
import { policySelectionShape } from './policySelectionShape.js';
import { prepareTeacherPairPolicy } from './prepareTeacherPairPolicy.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';
import { teacherLayerPairsSchema } from './teacherLayerPairsSchema.js';

const key = 'multi.hint';

const optionsSchema = z.strictObject({
  pairs: teacherLayerPairsSchema,
  ...policySelectionShape('uniform'),
  resize: z
    .enum(['bilinear', 'refuse'], { error: "expected 'bilinear' or 'refuse'" })
    .default('bilinear')
    .describe('conv maps of different H×W: resize the adapted student map bilinearly, or refuse at build time'),
});

/**
 * `multi.hint`: FitNets hints (Romero et al. 2015, section 2.2) from several teachers, each example's
 * per-teacher hint weighted by the policy, as CA-MKD weights its intermediate-feature loss (Zhang et al.
 * 2022; reference code Rorozhl/CA-MKD `distiller_zoo/CAMKD.py`):
 *
 *   hint_bp = mean_i ( r_p(f_s,p)_{b,i} − f_t,p{b,i} )²        per pair p: `hintLoss` with reduction 'none'
 *   L_bk    = (1/P_k) Σ_{p of teacher k} hint_bp               (P_k: the number of teacher k's pairs)
 *   loss    = (1/B) Σ_b Σ_k w_bk · L_bk,   w = policy weights from the teachers' logits
 *
 * Each pair has its own learned `HintAdapter` r_p, trained with the student; the adapters and the per-pair
 * hints are `feature.hint`'s own (`HintAdapterSet` of @distillery/plugin-feature). With one teacher this is
 * `feature.hint`.
 */
@injectable()
export class MultiHintStrategyFactory implements StrategyFactory {
  readonly key = key;
  readonly description = 'multi-teacher FitNets hints: per-example hint losses of several teachers’ layers, weighted by a policy';
  readonly optionsSchema = optionsSchema;
  readonly paper =
    'Zhang, Chen, Wang 2022, "Confidence-Aware Multi-Teacher Knowledge Distillation", ICASSP (per-example weighting of FitNets hints: Romero et al. 2015, ICLR)';

  constructor(@inject(TeacherPolicyRegistry) private readonly policies: TeacherPolicyRegistry) {}

  create(options: unknown, context: StrategyCreationContext): DistillationStrategy {
    const { pairs, resize, ...selection } = parseOptions(optionsSchema, options, context.path);
    const { pairsOf, taps, weightedLoss } = prepareTeacherPairPolicy(this.policies, pairs, selection, key, context);
    const adapters = new HintAdapterSet(pairs, { key, context, resize });

    return {
      key,
      taps,
      build: (shapes: TapShapes) => adapters.build(shapes),
      variables: () => adapters.variables(),
      // The kernel's tidy would free the intermediates anyway; this one keeps a stand-alone call leak-free.
      loss: (batch) =>
        tf.tidy(() => {
          const perPair = adapters.losses(batch, 'none');
          const perTeacher = pairsOf.map((indices) =>
            tf.div(tf.addN(indices.map((index) => perPair[index] as tf.Tensor1D)), indices.length),
          );
          return weightedLoss(batch, perTeacher);
        }),
      dispose: () => adapters.dispose(),
    };
  }
}
