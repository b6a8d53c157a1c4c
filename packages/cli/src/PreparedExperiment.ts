import type { ExperimentConfig } from '@distillery/config';
import type { StrategyPretraining, TeacherModel } from '@distillery/core';
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
  /** Teachers loaded from files (tfjs model directories, ONNX files, GraphModels), used as they are; owned by the run. */
  readonly fileTeachers: ReadonlyMap<string, TeacherModel>;
  /** Stages the strategies need before the student's (factor transfer's paraphraser), by term name. */
  readonly pretrainings: readonly { readonly term: string; readonly pretraining: StrategyPretraining }[];
}
