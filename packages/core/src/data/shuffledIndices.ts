import seedrandom from 'seedrandom';

/** A permutation of 0…n-1 that depends only on (seed, epoch): Fisher–Yates over a seeded generator. */
export function shuffledIndices(n: number, seed: number, epoch: number): Int32Array {
  const random = seedrandom(`${seed}:${epoch}`);
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = indices[i] as number;
    indices[i] = indices[j] as number;
    indices[j] = swap;
  }
  return indices;
}
