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
import { VidRegressor } from './VidRegressor.js';
import { vidLoss } from './vidLoss.js';

const key = 'feature.vid';

const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });

const optionsSchema = z.strictObject({
  teacher: z
    .string({ error: 'expected a teacher name' })
    .min(1, { error: 'expected a teacher name' })
    .optional()
    .describe("the teacher whose layers are the targets; default: the experiment's first teacher"),
  pairs: z
    .array(
      z.strictObject({
        student: layerName.describe('student layer, the regressor’s input'),
        teacher: layerName.describe('teacher layer, whose feature the regressor predicts'),
      }),
      { error: "expected an array of { student: '<layer>', teacher: '<layer>' }" },
    )
    .min(1, { error: "expected at least one { student: '<layer>', teacher: '<layer>' } pair" })
    .describe('student layer → teacher layer; each pair gets its own regressor and per-channel variances'),
  midChannels: z
    .number({ error: 'expected a positive integer' })
    .int({ error: 'expected a positive integer' })
    .positive({ error: 'expected a positive integer' })
    .optional()
    .describe(
      "width of the regressor's two hidden 1×1 convolutions (dense layers for vectors); default: the teacher layer's channels",
    ),
  initVariance: z
    .number({ error: 'expected a positive number' })
    .positive({ error: 'expected a positive number' })
    .default(5)
    .describe('variance σ² every teacher channel starts at (RepDistiller init_pred_var); must exceed eps'),
  eps: z
    .number({ error: 'expected a number ≥ 0' })
    .nonnegative({ error: 'expected a number ≥ 0' })
    .default(1e-5)
    .describe('ε in σ²_c = softplus(s_c) + ε, which keeps the variance away from 0'),
});

/**
 * `feature.vid`: variational information distillation (Ahn, Hu, Damianou, Lawrence, Dai 2019, "Variational
 * Information Distillation for Knowledge Transfer", CVPR; reference code RepDistiller `distiller_zoo/VID.py`):
 *
 *   loss = (1/P) Σ_pairs vidLoss(μ_p(f_s,p), f_t,p, s_p)
 *        = (1/P) Σ_pairs mean( ½ ((μ_p(f_s,p) − f_t,p)² / σ²_p + log σ²_p) ),   σ²_p,c = softplus(s_p,c) + ε
 *
 * with one {@link VidRegressor} per pair (three 1×1 convolutions with ReLUs, or dense layers for vectors, and a
 * learned log-scale s per teacher channel), trained with the student. RepDistiller sums its pairs (every feature but
 * the first and last, weight 1); this term averages them, so weight × P reproduces it.
 */
export const featureVid: StrategyFactory = {
  key,
  description:
    'VID: Gaussian negative log-likelihood of teacher features under a regressed mean and learned per-channel variance',
  optionsSchema,
  paper: 'Ahn, Hu, Damianou, Lawrence, Dai 2019, "Variational Information Distillation for Knowledge Transfer", CVPR',
  create(options, context: StrategyCreationContext): DistillationStrategy {
    const { pairs, midChannels, initVariance, eps, ...rest } = parseOptions(optionsSchema, options, context.path);
    if (initVariance <= eps) {
      const field = `${context.path}.initVariance`;
      throw new DistilleryError(`${field}: expected a number above eps (${eps}), got ${initVariance}`, field);
    }
    const teacher = resolveTeacherName(rest.teacher, key, context);
    let regressors: VidRegressor[] = [];
    const free = () => {
      for (const regressor of regressors) regressor.dispose();
      regressors = [];
    };

    return {
      key,
      taps: {
        student: [...new Set(pairs.map((pair) => pair.student))],
        teachers: { [teacher]: [...new Set(pairs.map((pair) => pair.teacher))] },
      },
      build(shapes: TapShapes) {
        free();
        const made: VidRegressor[] = [];
        try {
          pairs.forEach((pair, index) => {
            const where = `${context.path}.pairs[${index}]`;
            const studentShape = shapes.student[pair.student];
            const teacherShape = shapes.teachers[teacher]?.[pair.teacher];
            if (studentShape === undefined || teacherShape === undefined) {
              throw new DistilleryError(`${where}: the kernel gave no shape for a tapped layer`, where);
            }
            made.push(
              new VidRegressor({
                variableName: (local) => context.variableName(`pairs[${index}]/${local}`),
                studentShape,
                teacherShape,
                ...(midChannels === undefined ? {} : { midChannels }),
                seed: `${context.seed}/${key}/${index}`,
                initVariance,
                eps,
                labels: {
                  where,
                  student: `student layer '${pair.student}'`,
                  teacher: `teacher '${teacher}' layer '${pair.teacher}'`,
                },
              }),
            );
          });
        } catch (error) {
          for (const regressor of made) regressor.dispose();
          throw error;
        }
        regressors = made;
      },
      variables: () => regressors.flatMap((regressor) => regressor.variables()),
      loss(batch) {
        if (regressors.length !== pairs.length) throw new Error(`${key}: loss() called before build()`);
        const features = findTeacherOutputs(batch, teacher, key).features;
        // The kernel's tidy would free the intermediates anyway; this one keeps a stand-alone call leak-free.
        return tf.tidy(() => {
          const losses = pairs.map((pair, index) => {
            const studentFeature = batch.student.features[pair.student];
            const teacherFeature = features[pair.teacher];
            if (studentFeature === undefined || teacherFeature === undefined) {
              throw new Error(`${key}: the kernel did not tap '${pair.student}' or '${pair.teacher}'`);
            }
            const regressor = regressors[index] as VidRegressor;
            // The teacher map's size on this batch: it differs from the static one only where the model leaves it open.
            const size: [number, number] | undefined =
              teacherFeature.rank === 4 ? [teacherFeature.shape[1] as number, teacherFeature.shape[2] as number] : undefined;
            return vidLoss(regressor.apply(studentFeature, size), teacherFeature, regressor.logScale, { eps: regressor.eps });
          });
          return tf.div(tf.addN(losses), losses.length) as tf.Scalar;
        });
      },
      dispose: free,
    };
  },
};
