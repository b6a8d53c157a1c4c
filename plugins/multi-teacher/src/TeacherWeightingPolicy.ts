import type * as tf from '@tensorflow/tfjs-core';
import type { PolicyOptionsProblem } from './PolicyOptionsProblem.js';
import type { TeacherPolicyOptions } from './TeacherPolicyOptions.js';
import type { TeacherWeightingInput } from './TeacherWeightingInput.js';

/**
 * DI token of the extension point: a plugin (or a researcher's own ContainerModule) multi-binds policies,
 * `bind(TeacherWeightingPolicy).toConstantValue(myPolicy)`, and the `multi.*` strategies find them by key.
 */
export const TeacherWeightingPolicy = Symbol.for('@distillery/plugin-multi-teacher/TeacherWeightingPolicy');

/**
 * How several teachers are combined for one batch. Two kinds (see the Multi-teacher section of the KD
 * reference):
 *
 * - `'weights'`: each teacher keeps its own KD term, weighted per example by `weights()`:
 *   loss = T² · (1/B) Σ_b Σ_k w_bk · KL(softmax(z_k/T)_b ‖ softmax(z_s/T)_b). Feature strategies
 *   (`multi.hint`, `multi.attention`) weight each teacher's per-example loss the same way.
 * - `'target'`: the teachers are merged into one target distribution by `target()`, and the student is
 *   distilled from it: loss = T² · batchmean KL(target ‖ softmax(z_s/T)). `weights()` still gives the
 *   weights feature strategies use (the built-in target policies give 1/K).
 *
 * Memory contract: both methods are synchronous, may run inside a gradient tape, return a new tensor that
 * the caller owns, and never dispose or keep the input's tensors. Teacher logits are constants to the
 * student, so no gradient flows through the weights.
 */
export interface TeacherWeightingPolicy {
  /** Lookup key, as written in a config's `policy` option (`confidence`). Unique among the bound policies. */
  readonly key: string;
  /** One line for listings and docs; cite the paper. */
  readonly description: string;
  readonly kind: 'target' | 'weights';
  /** Per-example teacher weights w [B, K]: every entry ≥ 0 and every row summing to 1. */
  weights(input: TeacherWeightingInput): tf.Tensor2D;
  /** Required when `kind` is `'target'`: the combined target probabilities [B, C], rows summing to 1. */
  target?(input: TeacherWeightingInput): tf.Tensor2D;
  /**
   * Checks the options before training (when a strategy is created, and in every functional call), so a
   * bad config fails at once with the option named. Returns the first problem, or `undefined`. Policies
   * without it accept any options.
   */
  validateOptions?(options: TeacherPolicyOptions, teacherCount: number): PolicyOptionsProblem | undefined;
}
