import type { ExperimentSpec } from '@distillery/core';

/**
 * How each born-again generation k ≥ 1 learns from generation k − 1 (its only teacher). Without `strategies`,
 * the objective is `kdWeight · response.kd` plus, when `labelWeight > 0`, `labelWeight · task.ce`.
 */
export interface BornAgainDistillationOptions {
  /**
   * Temperature of `response.kd`: a positive number, or a schedule `{ start, end, shape?: 'linear' | 'cosine' }`.
   * Default 1: the paper matches the teacher's plain softmax output.
   */
  readonly temperature?: number | { readonly start: number; readonly end: number; readonly shape?: 'linear' | 'cosine' };
  /** Weight of `response.kd`, finite and ≥ 0. Default 1. */
  readonly kdWeight?: number;
  /**
   * Weight of `task.ce` on the hard labels, finite and ≥ 0. Default 0, the paper's BAN (KD alone); a positive weight
   * gives the common KD + CE variant.
   */
  readonly labelWeight?: number;
  /**
   * Replaces the default objective entirely: the strategies of every generation k ≥ 1, as in an experiment spec.
   * Single-teacher strategies default to the stage's first teacher, which is generation k − 1. Cannot be combined
   * with `temperature`, `kdWeight` or `labelWeight`.
   */
  readonly strategies?: ExperimentSpec['strategies'];
}
