import type { SymbolicShape } from '@distillery/core';

/** How an {@link OfdConnector} names, shapes and starts its variables. */
export interface OfdConnectorOptions {
  /**
   * Names the variable `local` (`'kernel'`, `'gamma'`, `'beta'`), called just before it is created; the names must
   * be unique among live variables, since tfjs keys gradients by name. `feature.ofd` names them through its creation
   * context's `variableName`, under the pair (`pairs[0]/kernel`).
   */
  readonly variableName: (local: 'kernel' | 'gamma' | 'beta') => string;
  /** Static output shape of the student's (pre-ReLU) layer, batch dimension `null`. */
  readonly studentShape: SymbolicShape;
  /** Static output shape of the teacher's pre-ReLU layer, batch dimension `null`. */
  readonly teacherShape: SymbolicShape;
  /** Seeds the kernel as `${seed}/kernel`, so an experiment starts from the same connector on every run. */
  readonly seed: number | string;
  /** How shape errors name the pair: `${where}: cannot connect ${student} [B, 8, 8, 4] to ${teacher} [B, 4, 4, 8]: …`. */
  readonly labels?: { readonly where: string; readonly student: string; readonly teacher: string };
}
