import { DistilleryError } from '@distillery/core';
import seedrandom from 'seedrandom';
import { IndexedDataset } from './IndexedDataset.js';

export interface LabelShuffleOptions {
  /** The share of the examples whose labels are shuffled, in (0, 1). */
  readonly fraction: number;
  /** Seeds which examples are chosen and how their labels are permuted; an integer ≥ 0. */
  readonly seed: number;
}

export interface ShuffledLabels {
  /** The same examples with the shuffled labels: the images are the source's, not copied. */
  readonly dataset: IndexedDataset;
  /** How many examples were chosen: Math.round(fraction · n). */
  readonly shuffled: number;
  /** How many of them ended up with a label other than their own (the rest drew their own class back). */
  readonly changed: number;
}

/**
 * Label noise by shuffling: a seeded random `Math.round(fraction · n)` of the n examples are chosen and
 * their labels permuted among themselves (a seeded random permutation). Meant for a training split only,
 * after validation is held out, so model selection and the reported numbers see the true labels.
 *
 * Zhang et al. 2017 (ICLR, "Understanding deep learning requires rethinking generalization") corrupt
 * labels partially by giving each example, with probability p, a class drawn uniformly at random. Shuffling
 * a chosen subset instead keeps every class's count exactly, so a teacher trained on the noisy labels
 * sees the same class balance as one trained on the clean ones and differs from it only in the noise.
 * As with theirs, some chosen examples keep their label by chance (about a 1/classes share of them when the
 * classes are balanced); `changed` counts the ones that did not.
 *
 * The result is an {@link IndexedDataset} over a store that shares the source's inputs and holds the new
 * labels ({@link ExampleStore.withLabels}); its slices, selections and augmented versions keep them.
 * Its id carries the noise and the examples it was drawn over:
 * `cifar10-train+shuffledLabels(0.4 of [0:45000], seed 0)+normalize(…)[0:45000]`, so fingerprints, the
 * teacher-output cache and the stage store tell noisy and clean data apart.
 */
export function withShuffledLabels(dataset: IndexedDataset, options: LabelShuffleOptions): ShuffledLabels {
  const { fraction, seed } = options;
  if (!(Number.isFinite(fraction) && fraction > 0 && fraction < 1)) {
    throw new DistilleryError(`labelNoise.fraction: expected a number in (0, 1), got ${fraction}`, 'labelNoise.fraction');
  }
  if (!Number.isInteger(seed) || seed < 0) {
    throw new DistilleryError(`labelNoise.seed: expected an integer ≥ 0, got ${seed}`, 'labelNoise.seed');
  }
  const { store, indices } = dataset;
  checkNoRepeats(dataset);
  const labels = dataset.labels();
  const random = seedrandom(`${seed}:shuffledLabels`);
  const chosen = randomPositions(dataset.size, Math.round(fraction * dataset.size), random);
  const permutation = randomPermutation(chosen.length, random);

  const storeLabels = Int32Array.from(store.labels);
  let changed = 0;
  for (let k = 0; k < chosen.length; k++) {
    const position = chosen[k] as number;
    const label = labels[chosen[permutation[k] as number] as number] as number;
    if (label !== labels[position]) changed++;
    storeLabels[indices[position] as number] = label;
  }
  const over = dataset.subset === '' ? '' : ` of ${dataset.subset}`;
  const relabelled = store.withLabels(storeLabels, `shuffledLabels(${fraction}${over}, seed ${seed})`);
  const view = new IndexedDataset(relabelled, {
    indices,
    subset: dataset.subset,
    ...(dataset.augmentation === undefined ? {} : { augmentation: dataset.augmentation }),
  });
  return { dataset: view, shuffled: chosen.length, changed };
}

/** The labels live in the store, one per example: a view holding an example twice could not give it two. */
function checkNoRepeats({ id, indices, store }: IndexedDataset): void {
  const seen = new Uint8Array(store.size);
  for (let k = 0; k < indices.length; k++) {
    const index = indices[k] as number;
    if (seen[index] === 1) {
      throw new DistilleryError(`${id}: example ${index} appears twice; labels can be shuffled only over distinct examples`);
    }
    seen[index] = 1;
  }
}

/** `count` distinct positions of [0, total), chosen uniformly by a partial Fisher–Yates shuffle, in the order drawn. */
function randomPositions(total: number, count: number, random: () => number): Int32Array {
  const positions = new Int32Array(total);
  for (let i = 0; i < total; i++) positions[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (total - i));
    const drawn = positions[j] as number;
    positions[j] = positions[i] as number;
    positions[i] = drawn;
  }
  return positions.slice(0, count);
}

/** A uniformly random permutation of [0, size) (Fisher–Yates). */
function randomPermutation(size: number, random: () => number): Int32Array {
  const permutation = new Int32Array(size);
  for (let i = 0; i < size; i++) permutation[i] = i;
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swapped = permutation[j] as number;
    permutation[j] = permutation[i] as number;
    permutation[i] = swapped;
  }
  return permutation;
}
