// A float64 CRD written from the paper and RepDistiller's formulas, row by row with no tensors, to check the
// strategy's values and gradients against; test-only (tsconfig.build.json leaves *TestKit.ts out of dist).

export type Matrix = number[][];

/** Row-wise x / ‖x‖₂. */
export function normalized(rows: Matrix): Matrix {
  return rows.map((row) => {
    const norm = Math.sqrt(row.reduce((sum, value) => sum + value * value, 0));
    return row.map((value) => value / norm);
  });
}

/** The embedding head: normalise(x · kernel + bias). */
export function embedded(features: Matrix, kernel: Matrix, bias: number[]): Matrix {
  return normalized(
    features.map((row) => bias.map((b, j) => row.reduce((sum, value, i) => sum + value * (kernel[i]?.[j] as number), b))),
  );
}

/** exp(v_b · m_j / τ) at each example's drawn rows (`drawn` row-major [B, K+1]). */
export function rawScores(embeddings: Matrix, memory: Matrix, drawn: Int32Array, temperature: number): Matrix {
  const columns = drawn.length / embeddings.length;
  return embeddings.map((v, b) =>
    Array.from(drawn.subarray(b * columns, (b + 1) * columns), (j) =>
      Math.exp(v.reduce((sum, value, d) => sum + value * (memory[j]?.[d] as number), 0) / temperature),
    ),
  );
}

/** RepDistiller's first-step Z: the mean raw score over every drawn entry, times N. */
export function normalizerOf(scores: Matrix, datasetSize: number): number {
  const all = scores.flat();
  return (all.reduce((sum, value) => sum + value, 0) / all.length) * datasetSize;
}

/** RepDistiller's `ContrastLoss` of normalised scores [B, K+1]. */
export function nce(scores: Matrix, datasetSize: number, eps = 1e-7): number {
  let total = 0;
  for (const row of scores) {
    const noise = (row.length - 1) / datasetSize;
    const [positive, ...negatives] = row as [number, ...number[]];
    total += Math.log(positive / (positive + noise + eps));
    for (const negative of negatives) total += Math.log(noise / (negative + noise + eps));
  }
  return -total / scores.length;
}

/** One side's loss: the embeddings scored against the other model's memory, divided by Z (this batch's when `z` is undefined). */
export function sideLoss(
  embeddings: Matrix,
  memory: Matrix,
  drawn: Int32Array,
  options: { temperature: number; z?: number },
): number {
  const raw = rawScores(embeddings, memory, drawn, options.temperature);
  const z = options.z ?? normalizerOf(raw, memory.length);
  return nce(
    raw.map((row) => row.map((value) => value / z)),
    memory.length,
  );
}
