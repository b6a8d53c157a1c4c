import type { BatchEndEvent, EpochBeginEvent, EpochEndEvent, TrainBeginEvent, TrainEndEvent } from './DistillerEvents.js';

/**
 * Hooks into `Distiller.fit`, named as tfjs-layers' callbacks are. Unlike event listeners, a callback's
 * promise is awaited before training goes on, so it may save checkpoints or stop training.
 */
export interface Callback {
  onTrainBegin?(event: TrainBeginEvent): void | Promise<void>;
  onEpochBegin?(event: EpochBeginEvent): void | Promise<void>;
  onBatchEnd?(event: BatchEndEvent): void | Promise<void>;
  onEpochEnd?(event: EpochEndEvent): void | Promise<void>;
  onTrainEnd?(event: TrainEndEvent): void | Promise<void>;
}
