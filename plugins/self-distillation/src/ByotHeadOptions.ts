/** What a `ByotHead` is built from: the tapped stage map's channels, how much it shrinks, and the widths it ends in. */
export interface ByotHeadOptions {
  /**
   * Names the variable `local` (`'conv1/kernel'`, `'bn1/gamma'`, `'fc/bias'`), called just before it is created; the
   * names must be unique among live variables, since tfjs keys gradients by name. A strategy names them through its
   * creation context's `variableName`, under the head (`heads[0]/conv1/kernel`).
   */
  readonly variableName: (local: string) => string;
  /** C: channels of the tapped stage map [B, H, W, C] the head reads. */
  readonly channels: number;
  /** k: kernel size and stride of the middle convolution, which shrinks the map k times (the reference's 8, 4, 2). */
  readonly stride: number;
  /** D: width of the deepest feature, which the head's feature matches. */
  readonly featureWidth: number;
  readonly classes: number;
  /** Seeds every variable (`${seed}/${local}`), so an experiment starts from the same heads on every run. */
  readonly seed: string;
}
