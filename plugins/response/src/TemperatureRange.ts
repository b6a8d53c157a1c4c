/** The open interval CTKD keeps a learned temperature in: τ = min + (max − min) · sigmoid(θ). */
export interface TemperatureRange {
  readonly min: number;
  readonly max: number;
}
