import { type DistillationContext, DistilleryError, findTeacherOutputs, type TapShapes } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { HintAdapter } from './HintAdapter.js';
import type { HintAdapterSetOptions } from './HintAdapterSetOptions.js';
import type { HintPair } from './HintPair.js';
import { hintLoss } from './hintLoss.js';

/**
 * The FitNets regressors of a hint strategy (Romero et al. 2015, section 2.2), one {@link HintAdapter} r_p
 * per layer pair, and the pairs' hint losses hintLoss(r_p(f_s,p), f_t,p). The strategy hands its lifecycle
 * here: `build` creates the adapters from the tapped static shapes (freeing any from an earlier build),
 * `variables` are trained with the student, `dispose` frees them.
 *
 * Pair p's variables are named `pairs[p]/kernel` and `pairs[p]/bias` through the context's `variableName`,
 * and its kernel is seeded `${seed}/${key}/${p}`, so a run starts from the same adapters every time.
 */
export class HintAdapterSet {
  private adapters: HintAdapter[] = [];

  constructor(
    private readonly pairs: readonly HintPair[],
    private readonly options: HintAdapterSetOptions,
  ) {}

  /** Creates one adapter per pair. If a later pair is refused, the adapters already made are freed first, so no variable is stranded. */
  build(shapes: TapShapes): void {
    this.dispose();
    const { key, context, resize } = this.options;
    const adapters: HintAdapter[] = [];
    try {
      this.pairs.forEach((pair, index) => {
        const where = `${context.path}.pairs[${index}]`;
        const studentShape = shapes.student[pair.student];
        const teacherShape = shapes.teachers[pair.teacher]?.[pair.teacherLayer];
        if (studentShape === undefined || teacherShape === undefined) {
          throw new DistilleryError(`${where}: the kernel gave no shape for a tapped layer`, where);
        }
        adapters.push(
          new HintAdapter({
            variableName: (local) => context.variableName(`pairs[${index}]/${local}`),
            studentShape,
            teacherShape,
            seed: `${context.seed}/${key}/${index}`,
            resize,
            labels: {
              where,
              student: `student layer '${pair.student}'`,
              teacher: `teacher '${pair.teacher}' layer '${pair.teacherLayer}'`,
            },
          }),
        );
      });
    } catch (error) {
      for (const adapter of adapters) adapter.dispose();
      throw error;
    }
    this.adapters = adapters;
  }

  variables(): tf.Variable[] {
    return this.adapters.flatMap((adapter) => adapter.variables());
  }

  /**
   * Each pair's hint loss on `batch`, in pair order: scalars by default, or each example's loss [B] with
   * `reduction: 'none'` (see {@link hintLoss}). The caller owns the results.
   */
  losses(batch: DistillationContext, reduction?: 'mean'): tf.Scalar[];
  losses(batch: DistillationContext, reduction: 'none'): tf.Tensor1D[];
  losses(batch: DistillationContext, reduction?: 'mean' | 'none'): tf.Tensor[];
  losses(batch: DistillationContext, reduction: 'mean' | 'none' = 'mean'): tf.Tensor[] {
    const { key } = this.options;
    if (this.adapters.length !== this.pairs.length) throw new Error(`${key}: loss() called before build()`);
    const teacherFeatures = this.pairs.map((pair) => findTeacherOutputs(batch, pair.teacher, key).features);
    return tf.tidy(() =>
      this.pairs.map((pair, index) => {
        const studentFeature = batch.student.features[pair.student];
        const teacherFeature = teacherFeatures[index]?.[pair.teacherLayer];
        if (studentFeature === undefined || teacherFeature === undefined) {
          throw new Error(`${key}: the kernel did not tap '${pair.student}' or '${pair.teacherLayer}'`);
        }
        // The teacher map's size on this batch: it differs from the static one only where the model leaves it open.
        const size: [number, number] | undefined =
          teacherFeature.rank === 4 ? [teacherFeature.shape[1] as number, teacherFeature.shape[2] as number] : undefined;
        return hintLoss((this.adapters[index] as HintAdapter).apply(studentFeature, size), teacherFeature, { reduction });
      }),
    );
  }

  dispose(): void {
    for (const adapter of this.adapters) adapter.dispose();
    this.adapters = [];
  }
}
