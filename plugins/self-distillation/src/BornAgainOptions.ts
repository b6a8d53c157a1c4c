import type { TrainingOptionsInput } from '@distillery/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { BornAgainDistillationOptions } from './BornAgainDistillationOptions.js';

/** A sequence of born-again generations: generation 0 trained on the labels, each later one distilled from the one before. */
export interface BornAgainOptions {
  /** How many born-again generations follow generation 0: an integer ≥ 1. The run trains `generations + 1` models. */
  readonly generations: number;
  /**
   * Builds a fresh, untrained model. Called once per generation, when that generation's stage runs, with the
   * generation's index (0 … generations); it must return a new model each time. A builder with a fixed initialiser
   * seed gives every generation the same starting weights: derive the seed from the index to vary them.
   */
  readonly buildStudent: (generation: number) => LayersModel;
  /** Training options of the distilled generations (1 … N), and of generation 0 unless `teacherTraining` is given. */
  readonly training: TrainingOptionsInput;
  /** Training options of generation 0, which learns from the labels alone (`task.ce`). Default: `training`. */
  readonly teacherTraining?: TrainingOptionsInput;
  /** The objective of generations 1 … N. Default: `response.kd` at T = 1, weight 1, alone. */
  readonly distillation?: BornAgainDistillationOptions;
  /** Generation k's stage, student and teacher name is `${namePrefix}${k}`: letters, digits, `_`, `.` or `-`. Default `'gen'`. */
  readonly namePrefix?: string;
}
