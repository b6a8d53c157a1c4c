import {
  type DistillationStrategy,
  DistilleryError,
  findTeacherOutputs,
  parseOptions,
  resolveTeacherName,
  type StrategyCreationContext,
  type StrategyFactory,
  type TapShapes,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { hclLoss } from './hclLoss.js';
import { KnowledgeReview } from './KnowledgeReview.js';
import type { ReviewPair } from './ReviewPair.js';
import { reviewStageChannels } from './reviewStageChannels.js';

const key = 'feature.review';
const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });

const optionsSchema = z.strictObject({
  teacher: z
    .string({ error: 'expected a teacher name' })
    .min(1, { error: 'expected a teacher name' })
    .optional()
    .describe("the teacher whose stage outputs are reviewed; default: the experiment's first teacher"),
  pairs: z
    .array(
      z.strictObject({
        student: layerName.describe("a student stage's output layer"),
        teacher: layerName.describe("the teacher stage's output layer of the same H×W"),
      }),
      { error: "expected an array of { student: '<layer>', teacher: '<layer>' }" },
    )
    .min(1, { error: "expected at least one { student: '<layer>', teacher: '<layer>' } pair" })
    .describe(
      'stage outputs, shallow → deep; each student stage gets a fusion module whose output is compared with its teacher stage',
    ),
  midChannels: z
    .number({ error: 'expected a positive integer' })
    .int({ error: 'expected a positive integer' })
    .positive({ error: 'expected a positive integer' })
    .optional()
    .describe("channels inside the fusion modules; default the reference's min(512, channels of the deepest student stage)"),
  warmupEpochs: z
    .number({ error: 'expected an integer ≥ 0' })
    .int({ error: 'expected an integer ≥ 0' })
    .min(0, { error: 'expected an integer ≥ 0' })
    .default(20)
    .describe('epochs of linear warm-up, factor min((epoch + 1) / warmupEpochs, 1); 0 turns the warm-up off'),
});

/**
 * `feature.review`: ReviewKD, knowledge review (Chen, Liu, Zhao, Jia 2021, "Distilling Knowledge via Knowledge
 * Review", CVPR; reference code dvlab-research/ReviewKD, mdistiller `ReviewKD.py`). The student's stage outputs
 * s_1 … s_n go through the review path ({@link KnowledgeReview}: attention-based fusion from the deepest stage up),
 * and each review output r_i is compared with the teacher's stage t_i by the hierarchical context loss
 * ({@link hclLoss}):
 *
 *   loss = min((epoch + 1) / warmupEpochs, 1) · Σ_i HCL(r_i, t_i)
 *
 * Reports each stage's HCL, before the warm-up, as the parts `stage1` … `stage<n>`. The reference's warm-up is
 * min(epoch / 20, 1) with mdistiller's epochs counted from 1; the kernel's epoch counts from 0, hence epoch + 1, as
 * `response.dkd` does (dvlab-research's train.py counts from 0, so its first epoch gets no review loss).
 */
export const featureReview: StrategyFactory = {
  key,
  description: 'ReviewKD: student stages fused deep → shallow by attention, matched to teacher stages by HCL',
  optionsSchema,
  paper: 'Chen, Liu, Zhao, Jia 2021, "Distilling Knowledge via Knowledge Review", CVPR',
  create(options, context: StrategyCreationContext): DistillationStrategy {
    const { pairs: layers, midChannels, warmupEpochs, ...rest } = parseOptions(optionsSchema, options, context.path);
    const teacher = resolveTeacherName(rest.teacher, key, context);
    const pairs: ReviewPair[] = layers.map((pair) => ({ student: pair.student, teacher, teacherLayer: pair.teacher }));
    const lossParts = pairs.map((_, index) => `stage${index + 1}`);
    let review: KnowledgeReview | undefined;

    return {
      key,
      taps: {
        student: [...new Set(pairs.map((pair) => pair.student))],
        teachers: { [teacher]: [...new Set(pairs.map((pair) => pair.teacherLayer))] },
      },
      lossParts,
      build: (shapes: TapShapes) => {
        review?.dispose();
        review = undefined;
        const stages = reviewStageChannels(pairs, shapes, context.path);
        const deepest = stages[stages.length - 1]?.inChannels as number;
        review = new KnowledgeReview({
          stages,
          midChannels: midChannels ?? Math.min(512, deepest),
          variableName: context.variableName,
          seed: `${context.seed}/${key}`,
        });
      },
      variables: () => review?.variables() ?? [],
      loss: (batch) => {
        if (review === undefined) throw new Error(`${key}: loss() called before build()`);
        const built = review;
        const warmup = warmupEpochs === 0 ? 1 : Math.min((batch.epoch + 1) / warmupEpochs, 1);
        const teacherFeatures = findTeacherOutputs(batch, teacher, key).features;
        // The kernel's tidy would free the intermediates anyway; this one keeps a stand-alone call leak-free.
        return tf.tidy(() => {
          const studentMaps = pairs.map((pair) => stageMap(batch.student.features[pair.student], pair.student));
          const teacherMaps = pairs.map((pair) => stageMap(teacherFeatures[pair.teacherLayer], pair.teacherLayer));
          const outputs = built.apply(studentMaps);
          const stageLosses = outputs.map((output, index) => {
            const target = teacherMaps[index] as tf.Tensor4D;
            if (!tf.util.arraysEqual(output.shape.slice(1, 3), target.shape.slice(1, 3))) {
              throw new DistilleryError(
                `${context.path}.pairs[${index}]: on this batch student layer '${pairs[index]?.student}' is ${output.shape[1]}×${output.shape[2]} but teacher layer '${pairs[index]?.teacherLayer}' is ${target.shape[1]}×${target.shape[2]}`,
              );
            }
            return hclLoss(output, target);
          });
          const total = tf.mul(tf.addN(stageLosses), warmup) as tf.Scalar;
          return { total, parts: Object.fromEntries(lossParts.map((name, index) => [name, stageLosses[index] as tf.Scalar])) };
        });
      },
      dispose: () => {
        review?.dispose();
        review = undefined;
      },
    };
  },
};

/** A stage output as an NHWC map: a vector [B, C] becomes [B, 1, 1, C]. */
function stageMap(feature: tf.Tensor | undefined, layer: string): tf.Tensor4D {
  if (feature === undefined) throw new Error(`${key}: the kernel did not tap '${layer}'`);
  return feature.rank === 2
    ? tf.reshape(feature, [feature.shape[0] as number, 1, 1, feature.shape[1] as number])
    : (feature as tf.Tensor4D);
}
