import type { TemperatureSchedule } from './TemperatureSchedule.js';

/**
 * The temperature at `progress` ∈ [0, 1] of training (clamped), for a fixed temperature or a {@link TemperatureSchedule}.
 * Strategies pass progress = step / (epochs · stepsPerEpoch), so the first step uses `start`.
 */
export function temperatureAt(temperature: number | TemperatureSchedule, progress: number): number {
  if (typeof temperature === 'number') return temperature;
  const clamped = Math.min(1, Math.max(0, progress));
  const { start, end } = temperature;
  if (temperature.shape === 'cosine') return end + ((start - end) * (1 + Math.cos(Math.PI * clamped))) / 2;
  return start + (end - start) * clamped;
}
