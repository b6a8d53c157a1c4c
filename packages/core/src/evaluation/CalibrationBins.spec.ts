import { describe, expect, it } from 'vitest';
import { CalibrationBins } from './CalibrationBins.js';

describe('CalibrationBins', () => {
  it('computes expected calibration error as in Guo et al. 2017', () => {
    // 10 bins. (0.8, 0.9]: confidences 0.9, 0.9, one right → |0.5 − 0.9| = 0.4, weight 2/3.
    // (0.2, 0.3]: confidence 0.3, right → |1 − 0.3| = 0.7, weight 1/3. ECE = 0.8/3 + 0.7/3 = 0.5.
    const bins = new CalibrationBins(10);
    bins.add(0.9, true);
    bins.add(0.9, false);
    bins.add(0.3, true);
    expect(bins.expectedCalibrationError()).toBeCloseTo(0.5, 12);
  });

  it('is zero for a perfectly calibrated predictor and for no data', () => {
    const bins = new CalibrationBins(15);
    expect(bins.expectedCalibrationError()).toBe(0);
    // Confidence 1 and always right; confidence 0.5 (bin 8 of 15) right half the time.
    bins.add(1, true);
    bins.add(0.5, true);
    bins.add(0.5, false);
    expect(bins.expectedCalibrationError()).toBe(0);
  });

  it('puts a confidence on a bin edge in the lower bin, and 0 in the first', () => {
    // (0.4, 0.5] holds 0.5: with one right and one wrong at 0.5 the gap is 0, not split across bins.
    const bins = new CalibrationBins(10);
    bins.add(0.5, true);
    bins.add(0.5, false);
    bins.add(0, false);
    expect(bins.expectedCalibrationError()).toBe(0);
  });
});
