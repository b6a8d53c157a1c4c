import type { TeacherDiagnostics } from '@distillery/core';
import type { Statistic } from './Statistic.js';

export type ModelRole = 'teacher' | 'ensemble' | 'baseline' | 'student';

export interface ModelSummary {
  readonly role: ModelRole;
  /** Test-set accuracy over seeds. */
  readonly accuracy: Statistic;
  /** Validation accuracy over seeds: what hyperparameters should be chosen on. */
  readonly validationAccuracy: Statistic;
  readonly parameters: number;
  /** model.json + weights.bin as saved (for the ensemble: all its teachers). */
  readonly bytes: number;
  /** Median over repeats of the time to predict a batch of test examples, divided by its size. */
  readonly latencyMsPerExample: number;
}

/** summary.json: how every model of a run did, over seeds. */
export interface Summary {
  readonly name: string;
  readonly description?: string;
  readonly backend: string;
  readonly seeds: readonly number[];
  readonly classes: number;
  readonly examples: { readonly train: number; readonly validation: number; readonly test: number };
  /** By name: `teacher:<name>`, `ensemble` (mean of the teachers' softmax, with two or more), `baseline`, `student`. */
  readonly models: Readonly<Record<string, ModelSummary>>;
  /** Distilled student minus baseline, test accuracy, paired by seed. */
  readonly gain?: Statistic;
  /** Per seed: the teachers measured on the validation set before the student was distilled. */
  readonly teacherDiagnostics?: Readonly<Record<string, TeacherDiagnostics>>;
  readonly wallSeconds: number;
}
