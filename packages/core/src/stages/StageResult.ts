import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { EvaluationMetrics } from '../evaluation/EvaluationMetrics.js';
import type { TeacherDiagnostics } from '../evaluation/TeacherDiagnostics.js';
import type { StateTensor } from '../state/StateTensor.js';
import type { EpochMetrics } from '../training/EpochMetrics.js';

export interface StageResult {
  readonly name: string;
  /**
   * The trained student: later stages may use it as a teacher or go on training it. A stage with a fixed student
   * (`trainable: false`) hands back the very model it started from, which may be an earlier stage's.
   */
  readonly model: LayersModel;
  /** The peers trained beside the student (online distillation), in the stage's order; absent without peers. */
  readonly peers?: readonly { readonly name: string; readonly model: LayersModel }[];
  /**
   * Every strategy variable and state variable at the end of the stage, by local name, for a later stage's
   * `strategyWeightsFrom`; kept only when a later stage starts from this one, and absent when the strategies own none.
   */
  readonly strategyWeights?: Readonly<Record<string, StateTensor>>;
  /** Empty when the stage was reused from the store. */
  readonly history: readonly EpochMetrics[];
  /** On the validation set, after training. */
  readonly evaluation?: EvaluationMetrics;
  readonly diagnostics?: TeacherDiagnostics;
  /** SHA-256 of everything the stage's outcome depends on; the stage store keys on it. */
  readonly fingerprint: string;
  /** True when the store held this stage with the same fingerprint, so it was not trained again. */
  readonly reused: boolean;
}
