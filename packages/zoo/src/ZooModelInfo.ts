/** One entry of `zooModels`. */
export interface ZooModelInfo {
  /** What configs and `buildZooModel` take: `resnet20`, `wrn-40-2`, `shufflenetv2`. */
  readonly key: string;
  /** One line: what the model is. */
  readonly description: string;
  /** Where it comes from. */
  readonly paper: string;
  /** Trainable parameters with `classes` outputs for 32×32×3 inputs (the same architecture's count in PyTorch). */
  readonly parameters: (classes: number) => number;
}
