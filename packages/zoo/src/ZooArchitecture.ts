import type * as tfl from '@tensorflow/tfjs-layers';

/** One zoo architecture, ready to build: what `resolveZooKey` returns for a key. */
export interface ZooArchitecture {
  readonly key: string;
  /** One line: what the model is. */
  readonly description: string;
  /** Where it comes from. */
  readonly paper: string;
  /** Builds it with `<name>_…` layer names and seeded initialisers. */
  readonly build: (options: { inputShape: readonly number[]; classes: number; name: string; seed: number }) => tfl.LayersModel;
}
