import type { SymbolicShape } from '@distillery/core';

/** How a {@link Paraphraser} names, sizes and starts its variables. */
export interface ParaphraserOptions {
  /**
   * Names the variable `local` (`'encoder/conv1/kernel'`, `'encoder/conv1/bias'`, … `'decoder/deconv3/bias'`), called
   * just before it is created; names must be unique among live variables, since tfjs keys gradients by name. The
   * factor transfer strategies name them through their creation context's `variableName`, under `paraphraser/`, so a
   * later stage finds the encoder by its local name (`paraphraser/encoder/conv1/kernel`).
   */
  readonly variableName: (local: string) => string;
  /** Static shape of the paraphrased feature, NHWC `[B, H, W, C]`; C must be known. */
  readonly featureShape: SymbolicShape;
  /** Paraphrase rate k: the factor has round(C · k) channels (see `factorChannels`). Default 0.5, the paper's. */
  readonly rate?: number;
  /** Seeds each initialiser as `${seed}/<local name>` (`${seed}/encoder/conv1/kernel`). */
  readonly seed: number | string;
  /** Build the decoder too (default). `false`: the encoder alone, for a student's stage that only reads factors. */
  readonly decoder?: boolean;
  /** Whether the variables train (default); `false` for an encoder fixed after its own stage. */
  readonly trainable?: boolean;
  /** How shape errors name the feature: `${where}: cannot paraphrase ${feature} [B, 10]: …`. */
  readonly labels?: { readonly where: string; readonly feature: string };
}
