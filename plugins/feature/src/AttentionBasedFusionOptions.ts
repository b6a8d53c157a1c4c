/** How an {@link AttentionBasedFusion} names, sizes and starts its variables. */
export interface AttentionBasedFusionOptions {
  /**
   * Names the variable `local` (`'conv1/kernel'`, `'bn1/gamma'`, …), called just before it is created; the names
   * must be unique among live variables, since tfjs keys gradients by name. `feature.review` names them through
   * its creation context's `variableName`, under the stage's pair (`pairs[0]/conv1/kernel`).
   */
  readonly variableName: (local: string) => string;
  /** Channels of the student's stage feature, C_in. */
  readonly inChannels: number;
  /** Channels of the module's middle (its residual), shared by every stage of one review path. */
  readonly midChannels: number;
  /** Channels of the output: the teacher stage's, C_out. */
  readonly outChannels: number;
  /** Fuse with the residual of the deeper stage (every stage but the deepest). */
  readonly fuse: boolean;
  /** Seeds each initialiser as `${seed}/conv1`, `${seed}/conv2`, `${seed}/attention/kernel`, `${seed}/attention/bias`. */
  readonly seed: number | string;
}
