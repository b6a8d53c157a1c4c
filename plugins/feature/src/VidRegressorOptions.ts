import type { SymbolicShape } from '@distillery/core';

/** How a {@link VidRegressor} names, shapes and starts its variables. */
export interface VidRegressorOptions {
  /**
   * Names the variable `local` (`'kernel1'`, `'kernel2'`, `'kernel3'`, `'logScale'`), called just before it is
   * created; the names must be unique among live variables, since tfjs keys gradients by name. `feature.vid` names
   * them through its creation context's `variableName`, under the pair (`pairs[0]/kernel1`).
   */
  readonly variableName: (local: 'kernel1' | 'kernel2' | 'kernel3' | 'logScale') => string;
  /** Static output shape of the student's layer, batch dimension `null`. */
  readonly studentShape: SymbolicShape;
  /** Static output shape of the teacher's layer, batch dimension `null`. */
  readonly teacherShape: SymbolicShape;
  /** Width of the regressor's two hidden layers; default the teacher's channel count, as RepDistiller's `VIDLoss(s, t, t)`. */
  readonly midChannels?: number;
  /** Seeds kernel k as `${seed}/kernel${k}`, so an experiment starts from the same regressor on every run. */
  readonly seed: number | string;
  /** The variance every channel starts at: softplus(logScale) + eps = initVariance. Default 5, RepDistiller's `init_pred_var`. */
  readonly initVariance?: number;
  /** ε of the variance softplus(s) + ε; default 1e-5. Must be below `initVariance`. */
  readonly eps?: number;
  /** How shape errors name the pair: `${where}: cannot regress ${student} [B, 8, 8, 4] onto ${teacher} [B, 10]: …`. */
  readonly labels?: { readonly where: string; readonly student: string; readonly teacher: string };
}
