import type { SymbolicShape } from '@distillery/core';

/** How a {@link Translator} names, sizes and starts its variables. */
export interface TranslatorOptions {
  /**
   * Names the variable `local` (`'conv1/kernel'`, `'conv1/bias'`, `'bn1/gamma'`, …), called just before it is created;
   * names must be unique among live variables. `feature.ft` names them under `translator/`.
   */
  readonly variableName: (local: string) => string;
  /** Static shape of the student feature, NHWC `[B, H, W, Cs]`; Cs must be known. */
  readonly studentShape: SymbolicShape;
  /** Channels of the factor it produces: the teacher paraphraser's, round(Ct · k). */
  readonly factorChannels: number;
  /** Seeds each initialiser as `${seed}/<local name>`. */
  readonly seed: number | string;
  /**
   * Batch norm (this batch's statistics, learned γ and β) after each convolution, as RepDistiller's
   * `Translator(use_bn=True)`; default `false`, as the authors' code.
   */
  readonly batchNorm?: boolean;
  /** How shape errors name the feature: `${where}: cannot translate ${student} [B, 10]: …`. */
  readonly labels?: { readonly where: string; readonly student: string };
}
