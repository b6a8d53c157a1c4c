import type { GridValue } from './GridValue.js';
import { settingNames } from './settingNames.js';

/** A grid point as a reader writes it, `T = 4, α = 0.5`, for the given parameters (default: all of its own). */
export function settingLabel(
  settings: Readonly<Record<string, GridValue>>,
  parameters: readonly string[] = Object.keys(settings),
  names: Readonly<Record<string, string>> = settingNames(Object.keys(settings)),
): string {
  return parameters.map((key) => `${names[key]} = ${settings[key]}`).join(', ');
}
