/** A measurement over seeds: the mean, the sample standard deviation (0 for one seed) and each value. */
export interface Statistic {
  readonly mean: number;
  readonly std: number;
  readonly values: readonly number[];
}
