import type { ExperimentConfig } from '@distillery/config';
import type { StrategyPretraining } from '@distillery/core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ContainerModule } from 'inversify';
import type { ExperimentData } from './ExperimentData.js';

/** Everything a run needs, loaded and checked before anything is written. */
export interface PreparedExperiment {
  readonly config: ExperimentConfig;
  /** The config file's folder: relative paths in the config start here. */
  readonly baseDirectory: string;
  readonly name: string;
  readonly directory: string;
  readonly plugins: readonly ContainerModule[];
  readonly data: ExperimentData;
  readonly fileTeachers: ReadonlyMap<string, tfl.LayersModel>;
  /** Stages the strategies need before the student's (factor transfer's paraphraser), by term name. */
  readonly pretrainings: readonly { readonly term: string; readonly pretraining: StrategyPretraining }[];
}
