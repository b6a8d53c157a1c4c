import {
  type DistillationStrategy,
  findTeacherOutputs,
  parseOptions,
  resolveTeacherName,
  type StrategyCreationContext,
  type StrategyFactory,
  type TapShapes,
} from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { buildHintAdapters } from './buildHintAdapters.js';
import type { HintAdapter } from './HintAdapter.js';
import { hintLoss } from './hintLoss.js';

const layerName = z.string({ error: 'expected a layer name' }).min(1, { error: 'expected a layer name' });

const optionsSchema = z.strictObject({
  /** The teacher whose layers give the hints; default: the experiment's first teacher. */
  teacher: z.string({ error: 'expected a teacher name' }).min(1, { error: 'expected a teacher name' }).optional(),
  /** Guided (student) layer → hint (teacher) layer; each pair gets its own adapter. */
  pairs: z
    .array(z.strictObject({ student: layerName, teacher: layerName }), {
      error: "expected an array of { student: '<layer>', teacher: '<layer>' }",
    })
    .min(1, { error: "expected at least one { student: '<layer>', teacher: '<layer>' } pair" }),
  /** Conv maps of different H×W: resize the adapted student map bilinearly, or refuse at build time. */
  resize: z.enum(['bilinear', 'refuse']).default('bilinear'),
});

/** Tells apart the variables of several `feature.hint` strategies alive at once: tfjs keys gradients by name. */
let instances = 0;

/**
 * `feature.hint`: FitNets hints (Romero et al. 2015, "FitNets: Hints for Thin Deep Nets", section 2.2;
 * reference code torchdistill `FitNetLoss`, mdistiller `FitNet.py`):
 *
 *   loss = (1/P) Σ_pairs mean( (r_p(f_s,p) − f_t,p)² )
 *
 * with one learned regressor r_p per pair (a {@link HintAdapter}: 1×1 conv for NHWC maps, dense for vectors),
 * trained with the student. For the paper's two-stage procedure give this term `until: n` and the KD terms
 * `from: n` in the experiment.
 */
export const featureHint: StrategyFactory = {
  key: 'feature.hint',
  description: 'FitNets hints: MSE between adapted student features and teacher features; options: teacher, pairs, resize',
  create(options, context: StrategyCreationContext): DistillationStrategy {
    const { pairs, resize, ...rest } = parseOptions(optionsSchema, options, context.path);
    const key = 'feature.hint';
    const teacher = resolveTeacherName(rest.teacher, key, context);
    const instance = ++instances;
    let adapters: HintAdapter[] = [];

    const disposeAdapters = () => {
      for (const adapter of adapters) adapter.dispose();
      adapters = [];
    };

    return {
      key,
      taps: {
        student: [...new Set(pairs.map((pair) => pair.student))],
        teachers: { [teacher]: [...new Set(pairs.map((pair) => pair.teacher))] },
      },
      build(shapes: TapShapes) {
        disposeAdapters();
        adapters = buildHintAdapters(
          pairs.map((pair) => ({ student: pair.student, teacher, teacherLayer: pair.teacher })),
          shapes,
          { key, instance, path: context.path, seed: context.seed, resize },
        );
      },
      variables: () => adapters.flatMap((adapter) => adapter.variables()),
      loss: (batch) => {
        const { student } = batch;
        if (adapters.length !== pairs.length) throw new Error(`${key}: loss() called before build()`);
        const teacherFeatures = findTeacherOutputs(batch, teacher, key).features;
        // The kernel's tidy would free the intermediates anyway; this one keeps a stand-alone call leak-free.
        return tf.tidy(() => {
          const losses = pairs.map((pair, index) => {
            const studentFeature = student.features[pair.student];
            const teacherFeature = teacherFeatures[pair.teacher];
            if (studentFeature === undefined || teacherFeature === undefined) {
              throw new Error(`${key}: the kernel did not tap '${pair.student}' or '${pair.teacher}'`);
            }
            const size: [number, number] | undefined =
              teacherFeature.rank === 4 ? [teacherFeature.shape[1] as number, teacherFeature.shape[2] as number] : undefined;
            return hintLoss((adapters[index] as HintAdapter).apply(studentFeature, size), teacherFeature);
          });
          return tf.div(tf.addN(losses), losses.length) as tf.Scalar;
        });
      },
      dispose: disposeAdapters,
    };
  },
};
