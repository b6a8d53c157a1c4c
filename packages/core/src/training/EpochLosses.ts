/**
 * The running sums behind an epoch's mean losses: one per objective value (each term, the total), then the
 * count of batches summed. Batches whose update was skipped are not counted. A checkpoint taken mid-epoch
 * keeps the sums (`TrainingState.epochSums`), so a resumed epoch reports the means the whole epoch had.
 */
export class EpochLosses {
  private readonly sums: Float64Array;

  constructor(
    private readonly width: number,
    resumed: readonly number[] = [],
  ) {
    this.sums = new Float64Array(width + 1);
    this.sums.set(resumed.slice(0, width + 1));
  }

  add(values: readonly number[]): void {
    for (let i = 0; i < this.width; i++) this.sums[i] = (this.sums[i] as number) + (values[i] as number);
    this.sums[this.width] = (this.sums[this.width] as number) + 1;
  }

  /** Each value's mean over the batches counted (0 when none were). */
  means(): number[] {
    const counted = Math.max(1, this.sums[this.width] as number);
    return Array.from(this.sums.subarray(0, this.width), (sum) => sum / counted);
  }

  /** The sums and the count, for a checkpoint. */
  toArray(): number[] {
    return Array.from(this.sums);
  }
}
