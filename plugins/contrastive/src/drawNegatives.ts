import seedrandom from 'seedrandom';
import type { DrawNegativesOptions } from './DrawNegativesOptions.js';

/**
 * The memory rows each example of a batch is contrasted with: an Int32Array [B, K+1], row-major, whose row b
 * holds the example's own index `batchIndices[b]` in column 0 (the positive) and K indices drawn uniformly, with
 * replacement, from [0, N) (the negatives). That is RepDistiller's `ContrastMemory` sampling when no indices are
 * given (its `AliasMethod` over uniform unigrams, column 0 then overwritten with the positive): a negative may
 * happen to be the example itself. RepDistiller's CIFAR default (`--mode exact`) instead draws negatives from
 * the other classes using the dataset's labels, without replacement; this plugin does not.
 *
 * The draws are a function of (seed, step) only (and of `stream`, when given), so a run resumed from a checkpoint
 * draws what the uninterrupted run drew. Alea (seedrandom) is used for speed: B = 64, K = 16384 is a million draws per step.
 */
export function drawNegatives(batchIndices: Int32Array, options: DrawNegativesOptions): Int32Array {
  const { k, datasetSize, seed, step, stream } = options;
  const random = seedrandom.alea(`contrastive.crd/negatives/${seed}/${step}${stream === undefined ? '' : `/${stream}`}`);
  const columns = k + 1;
  const drawn = new Int32Array(batchIndices.length * columns);
  for (let b = 0; b < batchIndices.length; b++) {
    const row = b * columns;
    drawn[row] = batchIndices[b] as number;
    for (let j = 1; j < columns; j++) drawn[row + j] = Math.floor(random() * datasetSize);
  }
  return drawn;
}
