import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ExperimentSpec } from '../composition/ExperimentSpec.js';
import type { Dataset } from '../data/Dataset.js';
import type { TeacherModel } from '../models/TeacherModel.js';

/** A teacher given directly (a LayersModel or a model only run forward), or the model an earlier stage trained (`{ stage: 'teacher' }`). */
export type StageModelSource = { readonly model: TeacherModel } | { readonly stage: string };

/**
 * One stage of a staged experiment: an experiment whose teachers (and possibly student) may be the
 * outputs of earlier stages. A student given as a function is built fresh when the stage runs, so
 * born-again generations and repeated runs start from a new initialisation.
 */
export interface StageSpec {
  /** Unique; later stages and the stage store refer to it. */
  readonly name: string;
  readonly teachers?: readonly ({ readonly name: string } & StageModelSource)[];
  /** `trainable: false` keeps the student fixed (inference mode): only strategy variables train (see `Student`). */
  readonly student:
    | { readonly name?: string; readonly model: LayersModel | (() => LayersModel); readonly trainable?: boolean }
    | { readonly name?: string; readonly stage: string; readonly trainable?: boolean };
  /**
   * Models trained together with the student (online distillation, e.g. deep mutual learning), each from its
   * own initialisation; a function builds the peer fresh when the stage runs, as for the student.
   */
  readonly peers?: readonly { readonly name: string; readonly model: LayersModel | (() => LayersModel) }[];
  readonly strategies: ExperimentSpec['strategies'];
  readonly training?: ExperimentSpec['training'];
  /**
   * An earlier stage whose strategy variables this stage's strategies start from, matched by local name (a module
   * pre-trained in its own stage: factor transfer's paraphraser); it is part of this stage's fingerprint.
   */
  readonly strategyWeightsFrom?: string;
  /** This stage's own training set (e.g. the same examples with augmentation); default: the run's. */
  readonly train?: Dataset;
}
