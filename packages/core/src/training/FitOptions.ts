import type { Dataset } from '../data/Dataset.js';
import type { TrainingState } from '../state/TrainingState.js';
import type { Callback } from './Callback.js';

/** How one `Distiller.fit` runs: validation, callbacks, resuming and checkpoints. */
export interface FitOptions {
  /** Evaluated after every epoch; its metrics go into the epoch's record. */
  readonly validation?: Dataset;
  readonly callbacks?: readonly Callback[];
  /**
   * Measure the teachers on the validation set (else the training set) before training: the
   * `teachersDiagnosed` event and `distiller.diagnostics`. Default: true when there are teachers.
   */
  readonly diagnoseTeachers?: boolean;
  /** Continue from a state `captureState` (through `checkpoint.save`) gave, where that fit stopped. */
  readonly resume?: TrainingState;
  /**
   * Where to keep the state as training goes: after every epoch, every `everySteps` optimizer steps
   * (0: epochs only), and when `interrupt()` stops training.
   */
  readonly checkpoint?: { readonly everySteps?: number; save(state: TrainingState): Promise<void> };
}
