import {
  type DistillationStrategy,
  findTeacherOutputs,
  parseOptions,
  type StrategyCreationContext,
  type StrategyFactory,
  type TapShapes,
} from '@distillery/core';
import { batchIndicesOf } from '@distillery/plugin-contrastive';
import * as tf from '@tensorflow/tfjs-core';
import { inject, injectable } from 'inversify';
import * as z from 'zod';
import { CrdTeacherBranch } from './CrdTeacherBranch.js';
import { crdTeacherLayerSchema } from './crdTeacherLayerSchema.js';
import { policySelectionShape } from './policySelectionShape.js';
import { resolveTeacherLayers } from './resolveTeacherLayers.js';
import { resolveTeacherNames } from './resolveTeacherNames.js';
import { selectPolicy } from './selectPolicy.js';
import { TeacherPolicyRegistry } from './TeacherPolicyRegistry.js';
import { teacherNamesSchema } from './teacherNamesSchema.js';
import { teacherWeights } from './teacherWeights.js';
import { weightedTeacherLoss } from './weightedTeacherLoss.js';

const key = 'multi.crd';

const selection = policySelectionShape('uniform');
const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });
const positiveInteger = z
  .number({ error: 'expected a positive integer' })
  .int({ error: 'expected a positive integer' })
  .positive({ error: 'expected a positive integer' });

const optionsSchema = z.strictObject({
  teachers: teacherNamesSchema,
  student: layerName.describe(
    "the student layer that every teacher's student head embeds: its penultimate embedding (a zoo model's `<name>_pool`)",
  ),
  teacherLayer: crdTeacherLayerSchema,
  featureDim: positiveInteger.default(128).describe('D, the width of the embeddings and of the memory rows (`feat_dim`)'),
  negatives: positiveInteger
    .default(16384)
    .describe('K, the memory rows drawn per example, step and teacher as negatives (`nce_k`)'),
  nceTemperature: z
    .number({ error: 'expected a positive number' })
    .positive({ error: 'expected a positive number' })
    .default(0.07)
    .describe('τ in the scores exp(v · m / τ) (`nce_t`; `contrastive.crd`’s temperature)'),
  momentum: z
    .number({ error: 'expected a number in [0, 1)' })
    .min(0, { error: 'expected a number in [0, 1)' })
    .lt(1, { error: 'expected a number in [0, 1)' })
    .default(0.5)
    .describe('m in the memory update row ← normalise(m · row + (1 − m) · v) (`nce_m`)'),
  ...selection,
  temperature: selection.temperature.describe(
    'T > 0: the temperature at which the policy reads the teachers’ logits (entropy); not CRD’s τ (nceTemperature)',
  ),
});

/**
 * `multi.crd`: contrastive representation distillation (Tian, Krishnan, Isola 2020; `contrastive.crd` of
 * @distillery/plugin-contrastive) from K teachers, one CRD per teacher (a {@link CrdTeacherBranch}), each example's
 * per-teacher CRD weighted by the policy as `multi.dkd` and CA-MKD (Zhang et al. 2022) weight per-example losses:
 *
 *   ℓ_k(b) = NCE_b(P^s_k) + NCE_b(P^t_k)      example b's CRD terms for teacher k (`crdNceLoss`, reduction 'none')
 *   loss   = (1/B) Σ_b Σ_k w_bk · ℓ_k(b),      w = policy weights [B, K] from the teachers' logits and the labels
 *
 * Teacher k has its own teacher head, its own student head, its own two memory banks (student-side and
 * teacher-side) with their Z constants, and its own negatives. One student head per teacher, not one shared: the
 * student's embedding for teacher k is contrasted with teacher k's embedding space, which its own head learns; a
 * shared head would have to sit close to K differently learned spaces at once, its K student banks would hold
 * near-identical rows, and one teacher's NCE gradient would move the embedding every other teacher is scored with.
 * Separate heads are what one gets by instantiating CRD once per teacher, cost D_in · D + D weights each (small
 * beside the banks), and make `multi.crd` over one teacher `contrastive.crd` exactly.
 *
 * Teacher k's initial heads, banks and draws come from `contrastive.crd`'s seeds, for the first teacher unchanged
 * (so one teacher gives `contrastive.crd`'s loss and banks, and adding teachers leaves the first's branch as it
 * was), for each further teacher extended by `teacher/<name>`: no two teachers share negatives, so their noise
 * terms are independent draws. `update` moves every teacher's banks from this step's embeddings whatever the
 * weights (a bank left behind on examples a policy weighs low would go stale); a target-combining policy
 * contributes only its `weights()`, 1/K for the built-in ones.
 *
 * Parts: `student` = (1/B) Σ_b Σ_k w_bk · NCE_b(P^s_k) and `teacher` likewise (with one teacher, `contrastive.crd`'s
 * parts), and `crd/<teacher>` = (1/B) Σ_b w_bk · ℓ_k(b), teacher k's weighted share; each family sums to the loss.
 * State: per teacher 2 · N · D · 4 bytes + Z, 48.8 MiB per 50,000 examples at D = 128.
 */
@injectable()
export class MultiCrdStrategyFactory implements StrategyFactory {
  readonly key = key;
  readonly description =
    'multi-teacher CRD: one contrastive head pair and memory-bank pair per teacher, per-example NCE weighted by a policy';
  readonly optionsSchema = optionsSchema;
  readonly paper =
    'Tian, Krishnan, Isola 2020, "Contrastive Representation Distillation", ICLR; per-example teacher weighting as in Zhang, Chen, Wang 2022, "Confidence-Aware Multi-Teacher Knowledge Distillation", ICASSP';

  constructor(@inject(TeacherPolicyRegistry) private readonly policies: TeacherPolicyRegistry) {}

  create(options: unknown, context: StrategyCreationContext): DistillationStrategy {
    const parsed = parseOptions(optionsSchema, options, context.path);
    const teachers = resolveTeacherNames(parsed.teachers, key, context);
    const layers = resolveTeacherLayers(parsed.teacherLayer, teachers, context);
    const { policy, options: policyOptions } = selectPolicy(this.policies, parsed, teachers.length, context.path);
    const { student, featureDim, negatives, nceTemperature, momentum, temperature } = parsed;
    const branches = teachers.map(
      (teacher, k) =>
        new CrdTeacherBranch({
          key,
          teacher,
          studentLayer: student,
          teacherLayer: layers[k] as string,
          featureDim,
          seed: context.seed,
          ...(k === 0 ? {} : { stream: `teacher/${teacher}` }),
          variableName: (local) => context.variableName(`${teacher}/${local}`),
          path: context.path,
        }),
    );
    const teacherTaps = Object.fromEntries(teachers.map((teacher, k) => [teacher, [layers[k] as string]]));
    const sizeOf = (what: string) => (branches[0] as CrdTeacherBranch).sizeFor(what);

    return {
      key,
      taps: { student: [student], teachers: teacherTaps },
      lossParts: ['student', 'teacher', ...teachers.map((teacher) => `crd/${teacher}`)],
      build: (shapes: TapShapes) => {
        for (const branch of branches) branch.build(shapes);
      },
      variables: () => branches.flatMap((branch) => branch.variables()),
      prepare: ({ size }) => {
        for (const branch of branches) branch.prepare(size);
      },
      state: () => branches.flatMap((branch) => branch.state()),
      loss: (batch) => {
        const indices = batchIndicesOf(batch, sizeOf('loss()'), key);
        const teacherLogits = teachers.map((name) => findTeacherOutputs(batch, name, key).logits);
        return tf.tidy(() => {
          const sides = branches.map((branch) =>
            branch.perExampleLosses(batch, indices, { negatives, temperature: nceTemperature }),
          );
          const weights = teacherWeights(teacherLogits, batch.labels, {
            policy,
            temperature,
            policyOptions,
            step: batch.step,
            seed: context.seed,
          });
          const studentSide = weightedTeacherLoss(
            sides.map((side) => side.student),
            weights,
          );
          const teacherSide = weightedTeacherLoss(
            sides.map((side) => side.teacher),
            weights,
          );
          const batchSize = weights.shape[0] as number;
          const shares = sides.map(
            (side, k) =>
              [
                `crd/${teachers[k]}`,
                tf.div(
                  tf.sum(
                    tf.mul(
                      tf.reshape(tf.slice(weights, [0, k], [batchSize, 1]), [batchSize]),
                      tf.add(side.student, side.teacher),
                    ),
                  ),
                  batchSize,
                ) as tf.Scalar,
              ] as const,
          );
          const parts = { student: studentSide, teacher: teacherSide, ...Object.fromEntries(shares) };
          return { total: tf.add(studentSide, teacherSide) as tf.Scalar, parts };
        });
      },
      update: (batch) => {
        const indices = batchIndicesOf(batch, sizeOf('update()'), key);
        for (const branch of branches) branch.update(batch, indices, { negatives, temperature: nceTemperature, momentum });
      },
      dispose: () => {
        for (const branch of branches) branch.dispose();
      },
    };
  }
}
