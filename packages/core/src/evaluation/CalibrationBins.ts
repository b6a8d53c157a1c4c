/**
 * Expected calibration error (Guo et al. 2017, "On Calibration of Modern Neural Networks"):
 * predictions are binned by confidence (the top class probability) into equal-width bins over [0, 1],
 * and ECE = Σ_bins (n_bin / N) · |accuracy_bin − mean confidence_bin|. 15 bins by default, as in that paper.
 */
export class CalibrationBins {
  private readonly counts: Float64Array;
  private readonly confidenceSums: Float64Array;
  private readonly correctCounts: Float64Array;
  private total = 0;

  constructor(readonly bins = 15) {
    this.counts = new Float64Array(bins);
    this.confidenceSums = new Float64Array(bins);
    this.correctCounts = new Float64Array(bins);
  }

  add(confidence: number, correct: boolean): void {
    // Bins are (k/n, (k+1)/n]; a confidence of exactly 0 joins the first.
    const bin = Math.min(this.bins - 1, Math.max(0, Math.ceil(confidence * this.bins) - 1));
    this.counts[bin] = (this.counts[bin] as number) + 1;
    this.confidenceSums[bin] = (this.confidenceSums[bin] as number) + confidence;
    if (correct) this.correctCounts[bin] = (this.correctCounts[bin] as number) + 1;
    this.total++;
  }

  expectedCalibrationError(): number {
    if (this.total === 0) return 0;
    let error = 0;
    for (let bin = 0; bin < this.bins; bin++) {
      const count = this.counts[bin] as number;
      if (count === 0) continue;
      const gap = Math.abs((this.correctCounts[bin] as number) / count - (this.confidenceSums[bin] as number) / count);
      error += (count / this.total) * gap;
    }
    return error;
  }
}
