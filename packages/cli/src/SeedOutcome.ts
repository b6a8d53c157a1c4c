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
  /** Test accuracy by model name (`teacher:<name>`, `ensemble`, `baseline`, `student`). */
  readonly accuracy: Readonly<Record<string, number>>;
  readonly validationAccuracy: Readonly<Record<string, number>>;
  readonly facts: Readonly<Record<string, ModelFacts>>;
  readonly diagnostics?: TeacherDiagnostics;
}
