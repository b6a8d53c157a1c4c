import { describe, expect, it } from 'vitest';
import { statisticOf } from './statisticOf.js';

describe('statisticOf', () => {
  it('gives the mean and the sample standard deviation', () => {
    // mean (0.8 + 0.9 + 1.0) / 3 = 0.9; squared deviations 0.01 + 0 + 0.01 = 0.02; / (3 − 1) = 0.01; √ = 0.1
    const statistic = statisticOf([0.8, 0.9, 1.0]);
    expect(statistic.mean).toBeCloseTo(0.9, 12);
    expect(statistic.std).toBeCloseTo(0.1, 12);
    expect(statistic.values).toEqual([0.8, 0.9, 1.0]);
  });

  it('divides by n − 1, not n', () => {
    // mean 40 / 8 = 5; squared deviations 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32; sample variance 32 / 7 (the population one would be 4)
    const statistic = statisticOf([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(statistic.mean).toBe(5);
    expect(statistic.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('gives a standard deviation of 0 for a single value', () => {
    expect(statisticOf([0.7])).toEqual({ mean: 0.7, std: 0, values: [0.7] });
  });

  it('copies the values, so a later change to the input does not reach the summary', () => {
    const values = [1, 2];
    const statistic = statisticOf(values);
    values.push(3);
    expect(statistic.values).toEqual([1, 2]);
  });

  it('has no mean for no values', () => {
    const statistic = statisticOf([]);
    expect(statistic.mean).toBeNaN();
    expect(statistic.std).toBe(0);
  });
});
