import type { StagedExperimentSpec } from '@distillery/core';
import type { BornAgainOptions } from './BornAgainOptions.js';

/** `bornAgainStages`' options plus what the staged run shares, and which generations form the ensemble. */
export interface RunBornAgainOptions extends BornAgainOptions {
  /** Plugins besides `responsePlugin`, which is always loaded (once, even if listed here too). */
  readonly plugins?: StagedExperimentSpec['plugins'];
  /** Default `'auto'`. */
  readonly backend?: StagedExperimentSpec['backend'];
  /** Default: core's console logger. */
  readonly logger?: StagedExperimentSpec['logger'];
  /** Where trained generations are saved and found again (see core's `StageStore`). Default: none, every generation trains. */
  readonly store?: StagedExperimentSpec['store'];
  /** Indices of the generations the ensemble averages (0 … generations). Default: all, generation 0 included. */
  readonly ensembleGenerations?: readonly number[];
}
