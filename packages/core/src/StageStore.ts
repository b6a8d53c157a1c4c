import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { StageResult } from './StageResult.js';

/** DI token for where stage outputs are kept so a later run can reuse them (`@distillery/node` has one on disk). */
export const StageStore = Symbol.for('@distillery/core/StageStore');

export interface StageStore {
  /** The stage's saved model when it was saved with this fingerprint; otherwise undefined (train again). */
  load(stage: string, fingerprint: string): Promise<{ model: LayersModel; result: Omit<StageResult, 'model'> } | undefined>;
  save(result: StageResult): Promise<void>;
}
