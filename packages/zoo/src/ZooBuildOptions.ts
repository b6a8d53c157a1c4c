/** What every zoo builder takes. */
export interface ZooBuildOptions {
  /** Shape of one example, [height, width, channels] (NHWC); the CIFAR nets expect [32, 32, 3]. */
  readonly inputShape: readonly number[];
  readonly classes: number;
  /** Prefix of every layer name: `<name>_stage1`, `<name>_pool`, `<name>_logits`. Default: the model's key. */
  readonly name?: string;
  /** Seeds every initialiser, so a seed gives the same initial model. Default 0. */
  readonly seed?: number;
}
