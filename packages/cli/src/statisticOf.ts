import type { Statistic } from './Statistic.js';

/** Mean and sample standard deviation (n − 1 in the denominator; 0 for a single value). */
export function statisticOf(values: readonly number[]): Statistic {
  const n = values.length;
  const mean = n === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / n;
  const variance = n < 2 ? 0 : values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(variance), values: [...values] };
}
