import type { TeacherDiagnostics } from '@distillery/core';
import type { ModelRole } from './Summary.js';

export interface ModelFacts {
  readonly role: ModelRole;
  readonly parameters: number;
  readonly bytes: number;
  readonly latencyMsPerExample: number;
}

/** What one seed's replicate measured (plain data, written to seeds/<seed>.json). */
export interface SeedOutcome {
  readonly seed: number;
  /** Who ran it (a queue worker's name, or `<host> pid <pid>`) and how long it took, stages and scoring included. */
  readonly worker: string;
  readonly wallSeconds: number;
  readonly classes: number;
  readonly examples: { readonly train: number; readonly validation: number; readonly test: number };
  /** Test accuracy by model name (`teacher:<name>`, `ensemble`, `baseline`, `student`). */
  readonly accuracy: Readonly<Record<string, number>>;
  readonly validationAccuracy: Readonly<Record<string, number>>;
  readonly facts: Readonly<Record<string, ModelFacts>>;
  readonly diagnostics?: TeacherDiagnostics;
}
