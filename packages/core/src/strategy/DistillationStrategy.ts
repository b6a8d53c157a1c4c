import type { Scalar, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { DistillationContext } from './DistillationContext.js';
import type { FeatureTaps } from './FeatureTaps.js';
import type { StrategyLoss } from './StrategyLoss.js';
import type { StrategyPretraining } from './StrategyPretraining.js';
import type { TapShapes } from './TapShapes.js';
import type { TeacherOutputs } from './TeacherOutputs.js';

/** DI token for a strategy instance, as made by a {@link StrategyFactory}. */
export const DistillationStrategy = Symbol.for('@distillery/core/DistillationStrategy');

/**
 * One term of the training objective. The kernel adds `weight · loss(context)` over all strategies.
 *
 * Memory contract: `loss` is synchronous and is called inside the kernel's `tf.tidy` and gradient tape,
 * so every intermediate tensor is freed after the step. A strategy never disposes context tensors,
 * and keeps no tensor across calls except the variables it owns.
 */
export interface DistillationStrategy {
  /** The registry key it was created from, e.g. `response.kd`. */
  readonly key: string;
  /** Layers this strategy reads; the kernel taps them on every batch. */
  readonly taps?: FeatureTaps;
  /** Called once before the first step with the static shapes of the tapped outputs. Create variables here. */
  build?(shapes: TapShapes): void;
  /** Variables the strategy owns (adapters, regressors); trained and saved with the student. */
  variables?(): readonly Variable[];
  /**
   * Called at the start of every `fit`, before anything runs a loss, with the size of the training set: create
   * state sized by it here (one memory-bank row per example), or keep what an earlier `fit` made if it still fits.
   */
  prepare?(trainingSet: { readonly size: number }): void;
  /**
   * State the strategy owns that is not trained by gradients (memory banks, running statistics): variables it
   * creates in `build` or `prepare` with `trainable = false` and changes only in `update`. The kernel checkpoints and restores
   * them with the rest of the training state, so a resumed run continues bit for bit; they are not saved with the
   * student. Free them in `dispose`.
   */
  state?(): readonly Variable[];
  /**
   * Called once per optimizer step, after every strategy's `loss` and inside the same tidy and gradient scope,
   * with the same context (the outputs before this step's update), to change the `state` variables (`assign`).
   * Never called on the probe batch that picks the backend, nor for terms outside their epoch window; it has run by
   * the time the kernel checks the losses, so a step skipped for a non-finite loss (`onNonFinite: skip-batch`) keeps
   * its update. It must not put anything on the gradient path: read tensors, compute, assign.
   */
  update?(context: DistillationContext): void;
  /**
   * Names of the parts `loss` reports beside its total (see {@link StrategyLoss}), fixed for the strategy's
   * life: they become columns of the metrics, the progress line and the report.
   */
  readonly lossParts?: readonly string[];
  /**
   * A scalar loss for this batch, or the loss with the parts named in `lossParts`. Besides training steps,
   * the kernel calls it once on a two-example probe batch (gradients computed, no update) to find which
   * backend has every kernel it needs.
   */
  loss(context: DistillationContext): Scalar | StrategyLoss;
  /**
   * For strategies that learn from several teachers: the ensemble's class probabilities [B, C] as this
   * strategy combines the teachers (labels may be used, as CA-MKD's confidence weights do). The kernel's
   * teacher diagnostics report the accuracy of this ensemble under the strategy's name.
   */
  combineTeachers?(teachers: readonly TeacherOutputs[], labels: Tensor1D): Tensor2D;
  /**
   * A stage this strategy needs first, its module fitted on a fixed teacher (see {@link StrategyPretraining}); the
   * CLI runs it before the student's stage. Through the API, run it yourself: a stage whose student is the teacher
   * with `trainable: false`, then `strategyWeightsFrom` it.
   */
  readonly pretraining?: StrategyPretraining;
  /** Frees the variables the strategy owns. */
  dispose?(): void;
}
