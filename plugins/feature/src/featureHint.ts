import {
  type DistillationStrategy,
  parseOptions,
  resolveTeacherName,
  type StrategyCreationContext,
  type StrategyFactory,
  type TapShapes,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import * as z from 'zod';
import { HintAdapterSet } from './HintAdapterSet.js';

const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });

const optionsSchema = z.strictObject({
  teacher: z
    .string({ error: 'expected a teacher name' })
    .min(1, { error: 'expected a teacher name' })
    .optional()
    .describe("the teacher whose layers give the hints; default: the experiment's first teacher"),
  pairs: z
    .array(
      z.strictObject({
        student: layerName.describe('guided (student) layer'),
        teacher: layerName.describe('hint (teacher) layer'),
      }),
      { error: "expected an array of { student: '<layer>', teacher: '<layer>' }" },
    )
    .min(1, { error: "expected at least one { student: '<layer>', teacher: '<layer>' } pair" })
    .describe('guided (student) layer → hint (teacher) layer; each pair gets its own adapter'),
  resize: z
    .enum(['bilinear', 'refuse'])
    .default('bilinear')
    .describe('conv maps of different H×W: resize the adapted student map bilinearly, or refuse at build time'),
});

/**
 * `feature.hint`: FitNets hints (Romero et al. 2015, "FitNets: Hints for Thin Deep Nets", section 2.2;
 * reference code torchdistill `FitNetLoss`, mdistiller `FitNet.py`):
 *
 *   loss = (1/P) Σ_pairs mean( (r_p(f_s,p) − f_t,p)² )
 *
 * with one learned regressor r_p per pair (a `HintAdapter`: 1×1 conv for NHWC maps, dense for vectors; see
 * {@link HintAdapterSet}), trained with the student. For the paper's two-stage procedure give this term
 * `until: n` and the KD terms `from: n` in the experiment.
 */
export const featureHint: StrategyFactory = {
  key: 'feature.hint',
  description: 'FitNets hints: MSE between adapted student features and teacher features',
  optionsSchema,
  paper: 'Romero, Ballas, Kahou, Chassang, Gatta, Bengio 2015, "FitNets: Hints for Thin Deep Nets", ICLR',
  create(options, context: StrategyCreationContext): DistillationStrategy {
    const { pairs, resize, ...rest } = parseOptions(optionsSchema, options, context.path);
    const key = 'feature.hint';
    const teacher = resolveTeacherName(rest.teacher, key, context);
    const adapters = new HintAdapterSet(
      pairs.map((pair) => ({ student: pair.student, teacher, teacherLayer: pair.teacher })),
      { key, context, resize },
    );

    return {
      key,
      taps: {
        student: [...new Set(pairs.map((pair) => pair.student))],
        teachers: { [teacher]: [...new Set(pairs.map((pair) => pair.teacher))] },
      },
      build: (shapes: TapShapes) => adapters.build(shapes),
      variables: () => adapters.variables(),
      // The kernel's tidy would free the intermediates anyway; this one keeps a stand-alone call leak-free.
      loss: (batch) =>
        tf.tidy(() => {
          const losses = adapters.losses(batch);
          return tf.div(tf.addN(losses), losses.length) as tf.Scalar;
        }),
      dispose: () => adapters.dispose(),
    };
  },
};
