/** How a {@link KnowledgeReview} sizes, names and seeds its modules. */
export interface KnowledgeReviewOptions {
  /** Each student stage, shallow → deep: its channels, and the channels of the teacher stage it is compared with. */
  readonly stages: readonly { readonly inChannels: number; readonly outChannels: number }[];
  /** Channels of every module's middle; the reference uses min(512, channels of the deepest student stage). */
  readonly midChannels: number;
  /** Names a variable (`pairs[0]/conv1/kernel`, …); unique among live variables, as the context's `variableName`. */
  readonly variableName: (local: string) => string;
  /** Stage p's initialisers are seeded `${seed}/${p}/conv1`, …. */
  readonly seed: number | string;
}
