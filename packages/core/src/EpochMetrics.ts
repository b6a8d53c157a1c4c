import type { EvaluationMetrics } from './EvaluationMetrics.js';

export interface EpochMetrics {
  readonly epoch: number;
  /** Mean over the epoch's batches of the weighted total loss. */
  readonly loss: number;
  /** Mean over the epoch's batches of each unweighted term. */
  readonly losses: Readonly<Record<string, number>>;
  /** Rate at the epoch's last step. */
  readonly learningRate: number;
  readonly seconds: number;
  /** Present when a validation set was given to `fit`. */
  readonly validation?: EvaluationMetrics;
}
