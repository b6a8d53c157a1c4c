/**
 * A temperature that moves from `start` to `end` over training: `linear` interpolates directly,
 * `cosine` follows half a cosine (slow at both ends), T = end + (start − end) · (1 + cos(π · progress)) / 2.
 */
export interface TemperatureSchedule {
  readonly start: number;
  readonly end: number;
  readonly shape: 'linear' | 'cosine';
}
