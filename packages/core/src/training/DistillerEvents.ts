import type { TeacherDiagnostics } from '../evaluation/TeacherDiagnostics.js';
import type { EpochMetrics } from './EpochMetrics.js';

export interface TrainBeginEvent {
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly backend: string;
  /** Loss term names in the order of the experiment's strategies. */
  readonly terms: readonly string[];
  /** Where the teacher-output cache lives ('memory' or a path), or 'off'. */
  readonly teacherCache: string;
  /** Present when `fit` continues from a checkpoint: where it resumes, and the epochs it had finished. */
  readonly resumedFrom?: { readonly epoch: number; readonly batch: number; readonly history: readonly EpochMetrics[] };
}

export interface EpochBeginEvent {
  readonly epoch: number;
}

export interface BatchEndEvent {
  readonly epoch: number;
  /** Zero-based index of the batch within its epoch. */
  readonly batch: number;
  /** Zero-based optimizer step since training began. */
  readonly step: number;
  readonly learningRate: number;
  /** Each strategy's unweighted loss, by term name. */
  readonly losses: Readonly<Record<string, number>>;
  /** Σ weight · loss, the value the optimizer minimised. */
  readonly total: number;
  /** The named parts strategies report, by term then part; present when some strategy declares `lossParts`. */
  readonly lossParts?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface EpochEndEvent {
  readonly epoch: number;
  readonly metrics: EpochMetrics;
}

export interface TrainEndEvent {
  readonly history: readonly EpochMetrics[];
}

/** The typed events a Distiller emits, in eventemitter3's map form. */
export interface DistillerEvents {
  /** Before training, when the experiment has teachers. */
  teachersDiagnosed: [TeacherDiagnostics];
  trainBegin: [TrainBeginEvent];
  epochBegin: [EpochBeginEvent];
  batchEnd: [BatchEndEvent];
  epochEnd: [EpochEndEvent];
  trainEnd: [TrainEndEvent];
}
