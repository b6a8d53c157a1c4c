import { DistilleryError } from '@distillery/core';
import seedrandom from 'seedrandom';
import { ExampleStore } from './ExampleStore.js';
import { IndexedDataset } from './IndexedDataset.js';

export interface SplitOptions {
  /** How many examples to hold out: a count (5000) or a fraction of the examples in (0, 1) (0.1, rounded to the nearest count). */
  readonly validation: number;
  /**
   * Without a seed, the validation examples are the last ones (MNIST's usual 55000/5000 split). With
   * one, they are a random selection that depends only on the seed and the number of examples.
   */
  readonly seed?: number;
}

export interface TrainValidationSplit {
  readonly train: IndexedDataset;
  /** Never augmented, even when the source is. */
  readonly validation: IndexedDataset;
}

/**
 * Holds out validation examples. Both parts are index views over the same store: no data is copied.
 * Each part keeps the order of the source, so its id says exactly which examples it holds:
 * `mnist-train[0:55000]` and `mnist-train[55000:60000]`, or with a seed
 * `mnist-train[all but random 5000, seed 1]` and `mnist-train[random 5000, seed 1]`.
 */
export function splitTrainValidation(source: ExampleStore | IndexedDataset, options: SplitOptions): TrainValidationSplit {
  const dataset = source instanceof ExampleStore ? new IndexedDataset(source) : source;
  const total = dataset.size;
  const count = validationCount(options.validation, total);
  if (options.seed === undefined) {
    return { train: dataset.slice(0, total - count), validation: dataset.slice(total - count).withoutAugmentation() };
  }
  const { seed } = options;
  if (!Number.isInteger(seed)) throw new DistilleryError(`splitTrainValidation: seed must be an integer, got ${seed}`);
  const heldOut = randomSelection(total, count, seed);
  const trainPositions = new Int32Array(total - count);
  for (let position = 0, k = 0; position < total; position++) if (heldOut[position] === 0) trainPositions[k++] = position;
  const validationPositions = new Int32Array(count);
  for (let position = 0, k = 0; position < total; position++) if (heldOut[position] === 1) validationPositions[k++] = position;
  return {
    train: dataset.select(trainPositions, `[all but random ${count}, seed ${seed}]`),
    validation: dataset.select(validationPositions, `[random ${count}, seed ${seed}]`).withoutAugmentation(),
  };
}

function validationCount(validation: number, total: number): number {
  const count = validation > 0 && validation < 1 ? Math.round(validation * total) : validation;
  if (!Number.isInteger(count) || count < 1 || count > total - 1) {
    throw new DistilleryError(
      `splitTrainValidation: validation must be a count in [1, ${total - 1}] or a fraction in (0, 1) leaving both parts non-empty, got ${validation} of ${total} examples`,
      'validation',
    );
  }
  return count;
}

/** Marks `count` of `total` positions with 1, chosen uniformly by a partial Fisher–Yates shuffle. */
function randomSelection(total: number, count: number, seed: number): Uint8Array {
  const random = seedrandom(`${seed}:validation`);
  const positions = new Int32Array(total);
  for (let i = 0; i < total; i++) positions[i] = i;
  const selected = new Uint8Array(total);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (total - i));
    const chosen = positions[j] as number;
    positions[j] = positions[i] as number;
    positions[i] = chosen;
    selected[chosen] = 1;
  }
  return selected;
}
