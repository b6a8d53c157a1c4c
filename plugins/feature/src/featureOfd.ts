import {
  type DistillationStrategy,
  DistilleryError,
  findTeacherOutputs,
  type LayerWeight,
  parseOptions,
  resolveTeacherName,
  type StrategyCreationContext,
  type StrategyFactory,
  type TapShapes,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { OfdConnector } from './OfdConnector.js';
import { ofdBatchNormMargins } from './ofdBatchNormMargins.js';
import { ofdLoss } from './ofdLoss.js';

const key = 'feature.ofd';
const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });
const pairShape = "{ student: '<layer>', teacher: '<layer>', teacherBatchNorm: '<layer>' }";

const optionsSchema = z.strictObject({
  teacher: z
    .string({ error: 'expected a teacher name' })
    .min(1, { error: 'expected a teacher name' })
    .optional()
    .describe("the teacher whose pre-ReLU features are the targets; default: the experiment's first teacher"),
  pairs: z
    .array(
      z.strictObject({
        student: layerName.describe("the student's pre-ReLU layer, the connector's input"),
        teacher: layerName.describe("the teacher's pre-ReLU layer of the same H×W (the input of a ReLU)"),
        teacherBatchNorm: layerName.describe(
          "the teacher's batch norm whose γ and β give the margins (in a ResNet block, the residual branch's last)",
        ),
      }),
      { error: `expected an array of ${pairShape}` },
    )
    .min(1, { error: `expected at least one ${pairShape} pair` })
    .describe('feature positions, shallow → deep; each pair gets its own connector (1×1 conv + batch norm) and margins'),
  pairWeights: z
    .array(z.number({ error: 'expected a number ≥ 0' }).nonnegative({ error: 'expected a number ≥ 0' }), {
      error: 'expected an array of numbers ≥ 0, one per pair',
    })
    .optional()
    .describe("each pair's weight; default the reference's 1/2^(P−1−p) for pair p of P (the deepest pair 1, halving upwards)"),
});

/**
 * `feature.ofd`: a comprehensive overhaul of feature distillation (Heo, Kim, Yun, Park, Kwak, Choi 2019, ICCV;
 * reference code clovaai/overhaul-distillation, `distiller.py`). At each pair p the student's pre-ReLU feature goes
 * through a learned connector c_p ({@link OfdConnector}: 1×1 conv + batch norm) and is compared with the teacher's
 * pre-ReLU feature t_p by the partial L2 distance ({@link ofdLoss}), whose teacher responses below the channel's
 * margin m_p are raised to it ({@link ofdMargin}: E[x | x < 0] for x ~ N(β, γ²) of the batch norm named in the pair):
 *
 *   loss = Σ_p w_p · (1/B) Σ_i d_partial(c_p(s_p), t_p, m_p)_i,     w_p = 1/2^(P−1−p) by default
 *
 * the reference's sum, its stage weighting and its division by the batch size; the reference's CIFAR script then
 * multiplies by 1/1000 (its ImageNet script by 1/10000), which is the strategy's `weight` here. Reports each pair's
 * loss, before its weight w_p, as the parts `pair1` … `pair<P>`.
 */
export const featureOfd: StrategyFactory = {
  key,
  description: "OFD: partial L2 between connected student pre-ReLU features and the teacher's, raised to a BN-derived margin",
  optionsSchema,
  paper: 'Heo, Kim, Yun, Park, Kwak, Choi 2019, "A Comprehensive Overhaul of Feature Distillation", ICCV',
  create(options, context: StrategyCreationContext): DistillationStrategy {
    const { pairs, pairWeights, ...rest } = parseOptions(optionsSchema, options, context.path);
    if (pairWeights !== undefined && pairWeights.length !== pairs.length) {
      const field = `${context.path}.pairWeights`;
      throw new DistilleryError(
        `${field}: expected ${pairs.length} weight${pairs.length === 1 ? '' : 's'}, one per pair, got ${pairWeights.length}`,
        field,
      );
    }
    const weights = pairWeights ?? pairs.map((_, index) => 1 / 2 ** (pairs.length - 1 - index));
    const teacher = resolveTeacherName(rest.teacher, key, context);
    const lossParts = pairs.map((_, index) => `pair${index + 1}`);
    let connectors: OfdConnector[] = [];
    let margins: Float32Array[] = [];
    const free = () => {
      for (const connector of connectors) connector.dispose();
      connectors = [];
      margins = [];
    };

    return {
      key,
      lossParts,
      taps: {
        student: [...new Set(pairs.map((pair) => pair.student))],
        teachers: { [teacher]: [...new Set(pairs.map((pair) => pair.teacher))] },
      },
      build(shapes: TapShapes) {
        free();
        const made: OfdConnector[] = [];
        const read: Float32Array[] = [];
        try {
          pairs.forEach((pair, index) => {
            const where = `${context.path}.pairs[${index}]`;
            const studentShape = shapes.student[pair.student];
            const teacherShape = shapes.teachers[teacher]?.[pair.teacher];
            if (studentShape === undefined || teacherShape === undefined) {
              throw new DistilleryError(`${where}: the kernel gave no shape for a tapped layer`, where);
            }
            const field = `${where}.teacherBatchNorm`;
            const label = `teacher '${teacher}' layer '${pair.teacherBatchNorm}'`;
            const pairMargins = ofdBatchNormMargins(readLayer(context, teacher, pair.teacherBatchNorm, field), field, label);
            const channels = teacherShape[teacherShape.length - 1];
            if (pairMargins.length !== channels) {
              throw new DistilleryError(
                `${field}: ${label} has ${pairMargins.length} channels but teacher layer '${pair.teacher}' has ${channels}; name the batch norm that feeds it`,
                field,
              );
            }
            read.push(pairMargins);
            made.push(
              new OfdConnector({
                variableName: (local) => context.variableName(`pairs[${index}]/${local}`),
                studentShape,
                teacherShape,
                seed: `${context.seed}/${key}/${index}`,
                labels: {
                  where,
                  student: `student layer '${pair.student}'`,
                  teacher: `teacher '${teacher}' layer '${pair.teacher}'`,
                },
              }),
            );
          });
        } catch (error) {
          for (const connector of made) connector.dispose();
          throw error;
        }
        connectors = made;
        margins = read;
      },
      variables: () => connectors.flatMap((connector) => connector.variables()),
      loss(batch) {
        if (connectors.length !== pairs.length) throw new Error(`${key}: loss() called before build()`);
        const features = findTeacherOutputs(batch, teacher, key).features;
        // The kernel's tidy would free the intermediates anyway; this one keeps a stand-alone call leak-free.
        return tf.tidy(() => {
          const pairLosses = pairs.map((pair, index) => {
            const studentFeature = batch.student.features[pair.student];
            const teacherFeature = features[pair.teacher];
            if (studentFeature === undefined || teacherFeature === undefined) {
              throw new Error(`${key}: the kernel did not tap '${pair.student}' or '${pair.teacher}'`);
            }
            const connected = (connectors[index] as OfdConnector).apply(studentFeature);
            return ofdLoss(connected, teacherFeature, tf.tensor1d(margins[index] as Float32Array));
          });
          const total = tf.addN(pairLosses.map((pairLoss, index) => tf.mul(pairLoss, weights[index] as number))) as tf.Scalar;
          return { total, parts: Object.fromEntries(lossParts.map((name, index) => [name, pairLosses[index] as tf.Scalar])) };
        });
      },
      dispose: free,
    };
  },
};

/** The batch norm's weights, with a missing teacher layer reported against the option that named it. */
function readLayer(context: StrategyCreationContext, teacher: string, layer: string, field: string): readonly LayerWeight[] {
  try {
    return context.teacherLayerWeights(teacher, layer);
  } catch (error) {
    if (error instanceof DistilleryError) throw new DistilleryError(`${field}: ${error.message}`, field);
    throw error;
  }
}
