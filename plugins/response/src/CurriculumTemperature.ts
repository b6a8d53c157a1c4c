import type * as tf from '@tensorflow/tfjs-core';

/**
 * A learned distillation temperature, as CTKD trains it: a module behind a gradient-reversal layer, so that its
 * weights move to *raise* the KD loss the student lowers. τ = τ_min + (τ_max − τ_min) · sigmoid(module output).
 */
export interface CurriculumTemperature {
  /**
   * τ for this batch: shape [] for one global temperature, [B] for one per example. `lambda` is the reversal
   * strength of the current epoch. Call inside the kernel's tidy; the result is the caller's.
   */
  temperatures(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, lambda: number): tf.Tensor;
  /** The module's weights, trained with the student (through the reversal). */
  variables(): tf.Variable[];
  dispose(): void;
}
