import {
  type DistillationStrategy,
  findTeacherOutputs,
  parseOptions,
  type StrategyCreationContext,
  type StrategyFactory,
  type TapShapes,
} from '@distillery/core';
import { buildHintAdapters, type HintAdapter } from '@distillery/plugin-feature';
import * as tf from '@tensorflow/tfjs-core';
import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { groupPairsByTeacher } from './groupPairsByTeacher.js';
import { perExampleHintLoss } from './perExampleHintLoss.js';
import { policySelectionShape } from './policySelectionShape.js';
import { selectPolicy } from './selectPolicy.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';
import { teacherLayerPairsSchema } from './teacherLayerPairsSchema.js';
import { teacherWeights } from './teacherWeights.js';
import { weightedTeacherLoss } from './weightedTeacherLoss.js';

const key = 'multi.hint';

const optionsSchema = z.strictObject({
  pairs: teacherLayerPairsSchema,
  ...policySelectionShape('uniform'),
  /** Conv maps of different H×W: resize the adapted student map bilinearly, or refuse at build time. */
  resize: z.enum(['bilinear', 'refuse'], { error: "expected 'bilinear' or 'refuse'" }).default('bilinear'),
});

/** Tells apart the variables of several `multi.hint` strategies alive at once: tfjs keys gradients by name. */
let instances = 0;

/**
 * `multi.hint`: FitNets hints (Romero et al. 2015, section 2.2) from several teachers, each example's
 * per-teacher hint weighted by the policy, as CA-MKD weights its intermediate-feature loss (Zhang et al.
 * 2022; reference code Rorozhl/CA-MKD `distiller_zoo/CAMKD.py`):
 *
 *   hint_bp = mean_i ( r_p(f_s,p)_{b,i} − f_t,p{b,i} )²        per pair p, over the example's feature elements
 *   L_bk    = (1/P_k) Σ_{p of teacher k} hint_bp               (P_k: the number of teacher k's pairs)
 *   loss    = (1/B) Σ_b Σ_k w_bk · L_bk,   w = policy weights from the teachers' logits
 *
 * Each pair has its own learned {@link HintAdapter} r_p, trained with the student. With one teacher this is
 * `feature.hint`.
 */
@injectable()
export class MultiHintStrategyFactory implements StrategyFactory {
  readonly key = key;
  readonly description =
    'multi-teacher FitNets hints: per-example hint losses of several teachers’ layers, weighted by a policy; options: pairs, policy, temperature, weights, policyOptions, resize';

  constructor(@inject(TeacherPolicyRegistry) private readonly policies: TeacherPolicyRegistry) {}

  create(options: unknown, context: StrategyCreationContext): DistillationStrategy {
    const { pairs, resize, ...selection } = parseOptions(optionsSchema, options, context.path);
    const { teachers, pairsOf, taps } = groupPairsByTeacher(pairs, key, context);
    const { policy, options: policyOptions } = selectPolicy(this.policies, selection, teachers.length, context.path);
    const { temperature } = selection;
    const instance = ++instances;
    let adapters: HintAdapter[] = [];

    const disposeAdapters = () => {
      for (const adapter of adapters) adapter.dispose();
      adapters = [];
    };

    return {
      key,
      taps,
      build(shapes: TapShapes) {
        disposeAdapters();
        adapters = buildHintAdapters(pairs, shapes, { key, instance, path: context.path, seed: context.seed, resize });
      },
      variables: () => adapters.flatMap((adapter) => adapter.variables()),
      loss: (batch) => {
        if (adapters.length !== pairs.length) throw new Error(`${key}: loss() called before build()`);
        const outputs = teachers.map((name) => findTeacherOutputs(batch, name, key));
        // The kernel's tidy would free the intermediates anyway; this one keeps a stand-alone call leak-free.
        return tf.tidy(() => {
          const perPair = pairs.map((pair, index) => {
            const studentFeature = batch.student.features[pair.student];
            const teacherFeature = outputs[teachers.indexOf(pair.teacher)]?.features[pair.teacherLayer];
            if (studentFeature === undefined || teacherFeature === undefined) {
              throw new Error(`${key}: the kernel did not tap '${pair.student}' or '${pair.teacherLayer}'`);
            }
            const size: [number, number] | undefined =
              teacherFeature.rank === 4 ? [teacherFeature.shape[1] as number, teacherFeature.shape[2] as number] : undefined;
            return perExampleHintLoss((adapters[index] as HintAdapter).apply(studentFeature, size), teacherFeature);
          });
          const perTeacher = pairsOf.map((indices) =>
            tf.div(tf.addN(indices.map((index) => perPair[index] as tf.Tensor1D)), indices.length),
          );
          const weights = teacherWeights(
            outputs.map(({ logits }) => logits),
            batch.labels,
            { policy, temperature, policyOptions, step: batch.step, seed: context.seed },
          );
          return weightedTeacherLoss(perTeacher, weights);
        });
      },
      dispose: disposeAdapters,
    };
  }
}
