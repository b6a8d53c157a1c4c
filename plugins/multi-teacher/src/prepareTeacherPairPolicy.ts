import { type DistillationContext, findTeacherOutputs, type StrategyCreationContext } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { groupPairsByTeacher } from './groupPairsByTeacher.js';
import { selectPolicy } from './selectPolicy.js';
import type { TeacherLayerPair } from './TeacherLayerPair.js';
import type { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';
import { teacherWeights } from './teacherWeights.js';
import { weightedTeacherLoss } from './weightedTeacherLoss.js';

/**
 * What a layer-pair `multi.*` strategy (`multi.hint`, `multi.attention`) prepares when it is created: the
 * pairs' teachers in first-appearance order, each with the indices of its pairs, and the layers to tap (see
 * `groupPairsByTeacher`), and the policy looked up and its options checked (see `selectPolicy`); unknown
 * teachers and bad policy options fail here, before training. Its `weightedLoss` is the end of the
 * strategy's loss, the per-example teacher weighting of CA-MKD (Zhang et al. 2022):
 *
 *   loss = (1/B) Σ_b Σ_k w_bk · L_bk,   w = the policy's weights [B, K] from the teachers' logits and the labels
 *
 * where L_bk is teacher k's loss on example b (`perTeacherLosses[k]`, [B], in `teachers` order).
 */
export function prepareTeacherPairPolicy(
  registry: TeacherPolicyRegistry,
  pairs: readonly TeacherLayerPair[],
  selection: {
    readonly policy: string;
    readonly temperature: number;
    readonly weights?: readonly number[] | undefined;
    readonly policyOptions?: Readonly<Record<string, unknown>> | undefined;
  },
  strategyKey: string,
  context: StrategyCreationContext,
) {
  const { teachers, pairsOf, taps } = groupPairsByTeacher(pairs, strategyKey, context);
  const { policy, options: policyOptions } = selectPolicy(registry, selection, teachers.length, context.path);
  const { temperature } = selection;
  return {
    teachers,
    pairsOf,
    taps,
    /** (1/B) Σ_b Σ_k w_bk · L_bk for this batch; the weights are freed, the scalar is the caller's. */
    weightedLoss: (batch: DistillationContext, perTeacherLosses: readonly tf.Tensor[]): tf.Scalar =>
      tf.tidy(() => {
        const weights = teacherWeights(
          teachers.map((name) => findTeacherOutputs(batch, name, strategyKey).logits),
          batch.labels,
          { policy, temperature, policyOptions, step: batch.step, seed: context.seed },
        );
        return weightedTeacherLoss(perTeacherLosses, weights);
      }),
  };
}
