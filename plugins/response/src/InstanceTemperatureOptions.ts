import type { TemperatureRange } from './TemperatureRange.js';

/** How {@link instanceCurriculumTemperature} builds its module. */
export interface InstanceTemperatureOptions {
  readonly range: TemperatureRange;
  readonly numClasses: number;
  /** The k teacher classes of highest probability the module reads per example (at most numClasses). */
  readonly topK: number;
  /** Width of the hidden layer. */
  readonly hidden: number;
  /** Seeds the first layer's initial weights. */
  readonly seed: string;
  /** The experiment-unique name of a module weight, from its local name (`dense1/kernel`). */
  readonly variableName: (local: string) => string;
}
