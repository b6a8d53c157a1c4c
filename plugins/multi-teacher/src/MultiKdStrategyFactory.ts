import {
  type DistillationStrategy,
  DistilleryError,
  findTeacherOutputs,
  parseOptions,
  type StrategyCreationContext,
  type StrategyFactory,
  type TeacherOutputs,
} from '@distillery/core';
import type * as tf from '@tensorflow/tfjs-core';
import { inject, injectable } from 'inversify';
import * as z from 'zod';
import { combineTeachers } from './combineTeachers.js';
import { multiTeacherKdLoss } from './multiTeacherKdLoss.js';
import { policySelectionShape } from './policySelectionShape.js';
import { resolveTeacherNames } from './resolveTeacherNames.js';
import { selectPolicy } from './selectPolicy.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';
import { teacherNamesSchema } from './teacherNamesSchema.js';

const key = 'multi.kd';

const optionsSchema = z.strictObject({
  teachers: teacherNamesSchema,
  ...policySelectionShape('mean-probs'),
});

/**
 * `multi.kd`: knowledge distillation from K teachers at once, combined by a {@link TeacherWeightingPolicy}
 * (see {@link multiTeacherKdLoss}):
 *
 *   target-combining policies:  T² · batchmean KL( target ‖ softmax(z_s/T) )
 *   weighting policies:         (1/B) Σ_b Σ_k w_bk · T² · KL( softmax(z_k/T)_b ‖ softmax(z_s/T)_b )
 *
 * Policies are looked up by key in the {@link TeacherPolicyRegistry}, so a policy bound by any loaded
 * module is usable. The strategy's `combineTeachers` gives the kernel's teacher diagnostics the ensemble
 * under the policy.
 */
@injectable()
export class MultiKdStrategyFactory implements StrategyFactory {
  readonly key = key;
  readonly description = 'multi-teacher KD: teachers combined into one target or weighted per example by a policy';
  readonly optionsSchema = optionsSchema;
  readonly paper =
    'Hinton, Vinyals, Dean 2015, "Distilling the Knowledge in a Neural Network", NIPS Deep Learning Workshop (KD from an ensemble); per-example weighting: Zhang, Chen, Wang 2022, "Confidence-Aware Multi-Teacher Knowledge Distillation", ICASSP';

  constructor(@inject(TeacherPolicyRegistry) private readonly policies: TeacherPolicyRegistry) {}

  create(options: unknown, context: StrategyCreationContext): DistillationStrategy {
    const parsed = parseOptions(optionsSchema, options, context.path);
    const teachers = resolveTeacherNames(parsed.teachers, key, context);
    const { policy, options: policyOptions } = selectPolicy(this.policies, parsed, teachers.length, context.path);
    const { temperature } = parsed;
    const seed = context.seed;
    const functionalOptions = { policy, temperature, policyOptions, seed };
    // Diagnostics call combineTeachers once per batch; each call draws anew, as each training step does under `random`.
    let combineCalls = 0;

    return {
      key,
      loss: (batch) =>
        multiTeacherKdLoss(
          batch.student.logits,
          teachers.map((name) => findTeacherOutputs(batch, name, key).logits),
          batch.labels,
          { ...functionalOptions, step: batch.step },
        ),
      combineTeachers: (outputs: readonly TeacherOutputs[], labels: tf.Tensor1D) => {
        const logits = teachers.map((name) => {
          const found = outputs.find((output) => output.name === name);
          if (found === undefined) throw new DistilleryError(`${key}: teacher '${name}' gave no outputs to combine`);
          return found.logits;
        });
        const { target, weights } = combineTeachers(logits, labels, { ...functionalOptions, step: combineCalls++ });
        weights.dispose();
        return target;
      },
    };
  }
}
