import type * as tf from '@tensorflow/tfjs-core';
import type { TeacherPolicyOptions } from './TeacherPolicyOptions.js';

/** Everything a {@link TeacherWeightingPolicy} sees for one batch. The tensors belong to the caller. */
export interface TeacherWeightingInput {
  /** Each teacher's logits z_k [B, C], K ≥ 1 of them, in the strategy's teacher order. */
  readonly teacherLogits: readonly tf.Tensor2D[];
  /** True class indices [B], int32 (CA-MKD's confidence weights read them). */
  readonly labels: tf.Tensor1D;
  /** The KD temperature T, a finite number > 0. */
  readonly temperature: number;
  /** The policy's options, already checked by its `validateOptions`. */
  readonly options: TeacherPolicyOptions;
  /** Zero-based optimizer step (0 outside training): policies that change per batch draw from it. */
  readonly step: number;
  /** The experiment's seed, so a policy's random choices repeat from run to run. */
  readonly seed: number;
}
