import { TensorDataset } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';

export interface SyntheticClassificationOptions {
  readonly examples: number;
  readonly features: number;
  readonly classes: number;
  /** Standard deviation of the noise around each class centre; centres are ~unit distance apart. */
  readonly noise?: number;
  readonly seed?: number;
  /** Reshape each example to this shape (its product must equal `features`), e.g. [4, 4, 1] for conv nets. */
  readonly shape?: readonly number[];
}

/**
 * Gaussian clusters: class c's examples scatter around a random centre. Learnable but not trivially
 * separable at noise ≈ 0.5–1. Same options give the same data.
 */
export function syntheticClassification(options: SyntheticClassificationOptions): TensorDataset {
  const { examples, features, classes } = options;
  const random = seedrandom(String(options.seed ?? 0));
  const gaussian = () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const centres = Array.from({ length: classes }, () => Float32Array.from({ length: features }, gaussian));
  const noise = options.noise ?? 0.7;
  const inputs = new Float32Array(examples * features);
  const labels = new Int32Array(examples);
  for (let i = 0; i < examples; i++) {
    const label = i % classes;
    labels[i] = label;
    const centre = centres[label] as Float32Array;
    for (let f = 0; f < features; f++) inputs[i * features + f] = (centre[f] as number) + noise * gaussian();
  }
  const shape = options.shape ?? [features];
  return new TensorDataset(tf.tensor(inputs, [examples, ...shape]), tf.tensor1d(labels, 'int32'));
}
