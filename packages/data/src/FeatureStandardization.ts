/**
 * How tabular features were standardized: feature d became (x − mean[d]) / std[d]. Keep the training
 * data's statistics and pass them when reading the test data, so both are scaled alike.
 */
export interface FeatureStandardization {
  readonly mean: readonly number[];
  /** Population standard deviation; a constant feature has std 1 here, so it becomes 0 rather than NaN. */
  readonly std: readonly number[];
}
