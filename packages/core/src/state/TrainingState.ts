import type { EpochMetrics } from '../training/EpochMetrics.js';
import type { StateTensor } from './StateTensor.js';

/**
 * Everything a Distiller needs to continue a `fit` exactly where it stopped (`Distiller.captureState`,
 * `FitOptions.resume`): where it is, what it has measured, and every value that changes while training.
 * The learning-rate and temperature schedules, the shuffling order and the augmentation draws are
 * functions of the seed, epoch and step, so these positions restore them. Plain data, so that any
 * store (a file, IndexedDB) can keep it.
 */
export interface TrainingState {
  readonly version: 1;
  /** The epoch in progress; `batch` of its batches are done (0: it has not started). */
  readonly epoch: number;
  readonly batch: number;
  /** Optimizer steps taken since training began. */
  readonly globalStep: number;
  /** Metrics of the finished epochs. */
  readonly history: readonly EpochMetrics[];
  /** Running sums of the epoch in progress: each term's loss, then the total, then how many batches they sum. */
  readonly epochSums: readonly number[];
  /** The teacher-output cache's key, when one was in use (a resumed run checks it is the same). */
  readonly teacherCacheKey: string | null;
  /** The student's weights in `model.getWeights()` order, trainable and not (batch-norm statistics). */
  readonly studentWeights: readonly StateTensor[];
  /** Strategy-owned variables (adapters), in strategy order. */
  readonly strategyWeights: readonly StateTensor[];
  /**
   * Strategy state that is not trained (`DistillationStrategy.state`: memory banks), in strategy order. Absent in
   * checkpoints written before strategies could have state, which restore as "no state".
   */
  readonly strategyState?: readonly StateTensor[];
  /** Each peer's weights (`model.getWeights()` order), in experiment order; absent when the run has no peers. */
  readonly peerWeights?: readonly (readonly StateTensor[])[];
  /**
   * The optimizer's state (`getWeights()`), each name's variable replaced by its position among the
   * trainable variables (`#3/m`), since variable names differ from process to process.
   */
  readonly optimizer: readonly { readonly name: string; readonly tensor: StateTensor }[];
  /** Draw counters of layers with their own randomness (`RandomDrawsLayer`), by layer name (`<peer>/<layer>` for a peer's). */
  readonly layerDraws: Readonly<Record<string, number>>;
}
