import type { ExperimentConfig } from '@distillery/config';
import type { GridValue } from './GridValue.js';

/** One point of a sweep, planned: its setting applied to the config, and where its run goes. */
export interface SweepPlanPoint {
  readonly settings: Readonly<Record<string, GridValue>>;
  /** `temperature=4,alpha=0.9`: the point's folder in the sweep directory. */
  readonly label: string;
  /** The run's name (`<sweep>/<label>`) and directory. */
  readonly name: string;
  readonly directory: string;
  readonly config: ExperimentConfig;
}
