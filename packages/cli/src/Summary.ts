import type { TeacherDiagnostics } from '@distillery/core';
import type { Statistic } from './Statistic.js';

export type ModelRole = 'teacher' | 'ensemble' | 'baseline' | 'student' | 'peer';

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

/**
 * The share of the teacher–student gap that distillation closed: mean gain ÷ mean (reference − baseline),
 * test accuracy. The reference is the teachers' ensemble when there are several teachers, else the teacher.
 */
export interface GapClosed {
  /** The model name of the reference: `teacher:<name>` or `ensemble`. */
  readonly reference: string;
  /** Mean test accuracy of the reference minus the baseline's (a fraction, > 0). */
  readonly gap: number;
  /** gain ÷ gap: 1 means the student matched the reference, below 0 that distillation hurt. */
  readonly fraction: number;
}

/** summary.json: how every model of a run did, over seeds. */
export interface Summary {
  readonly name: string;
  readonly description?: string;
  readonly backend: string;
  readonly seeds: readonly number[];
  readonly classes: number;
  readonly examples: { readonly train: number; readonly validation: number; readonly test: number };
  /** By name: `teacher:<name>`, `ensemble` (mean of the teachers' softmax, with two or more), `baseline`, `student`, `peer:<name>`. */
  readonly models: Readonly<Record<string, ModelSummary>>;
  /** Distilled student minus baseline, test accuracy, paired by seed. */
  readonly gain?: Statistic;
  /** How much of the gap between the baseline and the teachers distillation closed; see {@link GapClosed}. */
  readonly gapClosed?: GapClosed;
  /** Per seed: the teachers measured on the validation set before the student was distilled. */
  readonly teacherDiagnostics?: Readonly<Record<string, TeacherDiagnostics>>;
  readonly wallSeconds: number;
  /** Each seed's worker and wall time (a queued run's seeds ran on several machines at once). */
  readonly seedRuns?: readonly { readonly seed: number; readonly worker: string; readonly wallSeconds: number }[];
}
