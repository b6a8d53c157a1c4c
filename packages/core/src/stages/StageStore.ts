import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { TrainingState } from '../state/TrainingState.js';
import type { StageLease } from './StageLease.js';
import type { StageResult } from './StageResult.js';

/** DI token for where stage outputs are kept so a later run can reuse them (`@distillery/node` has one on disk). */
export const StageStore = Symbol.for('@distillery/core/StageStore');

export interface StageStore {
  /**
   * The stage's saved model (and its peers, when it trained any) when it was saved with this fingerprint;
   * otherwise undefined (train again).
   */
  load(
    stage: string,
    fingerprint: string,
  ): Promise<
    | {
        model: LayersModel;
        peers?: readonly { readonly name: string; readonly model: LayersModel }[];
        result: Omit<StageResult, 'model' | 'peers'>;
      }
    | undefined
  >;
  save(result: StageResult): Promise<void>;
  /**
   * Keeps a stage's mid-training state (replacing the previous one only once the new one is whole), so
   * that an interrupted stage continues from it. Stores without it restart interrupted stages.
   */
  saveCheckpoint?(stage: string, fingerprint: string, state: TrainingState): Promise<void>;
  /**
   * The stage's latest checkpoint when it was made under this fingerprint; undefined when there is none.
   * One made under another fingerprint is not used (the stage's config, models or data changed).
   */
  loadCheckpoint?(stage: string, fingerprint: string): Promise<TrainingState | undefined>;
  /** Drops the stage's checkpoint once the stage is saved whole. */
  removeCheckpoint?(stage: string, fingerprint: string): Promise<void>;
  /**
   * Holds the stage for this process until `release` (waiting while another process holds it), so that stores
   * shared between processes never have one stage trained twice at once. Stores used by one process need none.
   */
  lease?(stage: string, fingerprint: string, onWait: (holder: string) => void): Promise<StageLease>;
}
