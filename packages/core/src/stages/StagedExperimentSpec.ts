import type { ExperimentSpec } from '../composition/ExperimentSpec.js';
import type { StageSpec } from './StageSpec.js';
import type { StageStore } from './StageStore.js';

/** A list of stages run in order, sharing plugins, backend and logger; e.g. teacher → assistant → student. */
export interface StagedExperimentSpec {
  readonly stages: readonly StageSpec[];
  readonly plugins?: ExperimentSpec['plugins'];
  readonly backend?: ExperimentSpec['backend'];
  readonly logger?: ExperimentSpec['logger'];
  /** Where teacher-output caches too large for memory go, and complete ones are found again. */
  readonly teacherOutputStores?: ExperimentSpec['teacherOutputStores'];
  /** Where stage outputs are saved and found again; without one every stage trains. */
  readonly store?: StageStore;
}
