/**
 * The Distillery kernel's API for plugin authors (a strategy: its contract, its context, the helpers a loss
 * needs) and experiment authors (composing and training an experiment, its results). What the CLI and the
 * Node packages need beyond this lives in `@distillery/core/internal` and may change without notice.
 */
import 'reflect-metadata';

export { composeExperiment } from './composition/composeExperiment.js';
export { consoleLogger } from './composition/consoleLogger.js';
export { coreModule } from './composition/coreModule.js';
export { createDistiller } from './composition/createDistiller.js';
export type { ExperimentSpec } from './composition/ExperimentSpec.js';
export { experimentSpecSchema } from './composition/experimentSpecSchema.js';
export { Logger } from './composition/Logger.js';
export type { Batch } from './data/Batch.js';
export type { BatchOptions, Dataset } from './data/Dataset.js';
export { shuffledIndices } from './data/shuffledIndices.js';
export { TensorDataset } from './data/TensorDataset.js';
export { DistilleryError } from './errors/DistilleryError.js';
export { StrategyFailure } from './errors/StrategyFailure.js';
export type { EnsembleEvaluation } from './evaluation/EnsembleEvaluation.js';
export type { EvaluationMetrics } from './evaluation/EvaluationMetrics.js';
export { ensembleLogProbabilities } from './evaluation/ensembleLogProbabilities.js';
export { type EvaluateEnsembleOptions, evaluateEnsemble } from './evaluation/evaluateEnsemble.js';
export { evaluateEnsembleLogits } from './evaluation/evaluateEnsembleLogits.js';
export { flagUnreliableTeachers } from './evaluation/flagUnreliableTeachers.js';
export { type DatasetLogits, inferLogits } from './evaluation/inferLogits.js';
export type { TeacherDiagnostics } from './evaluation/TeacherDiagnostics.js';
export type { TeacherFlag } from './evaluation/TeacherFlag.js';
export type { ForwardModel } from './models/ForwardModel.js';
export { isForwardModel } from './models/isForwardModel.js';
export { Peer } from './models/Peer.js';
export { Student } from './models/Student.js';
export { Teacher } from './models/Teacher.js';
export type { TeacherModel } from './models/TeacherModel.js';
export { type RunStagesOptions, runStages, type StageData } from './stages/runStages.js';
export type { StagedExperimentSpec } from './stages/StagedExperimentSpec.js';
export type { StageResult } from './stages/StageResult.js';
export type { StageModelSource, StageSpec } from './stages/StageSpec.js';
export type { StateTensor } from './state/StateTensor.js';
export type { TrainingState } from './state/TrainingState.js';
export type { DistillationContext } from './strategy/DistillationContext.js';
export { DistillationStrategy } from './strategy/DistillationStrategy.js';
export type { FeatureTaps } from './strategy/FeatureTaps.js';
export { findTeacherOutputs } from './strategy/findTeacherOutputs.js';
export type { LayerWeight } from './strategy/LayerWeight.js';
export { lossTotal } from './strategy/lossTotal.js';
export type { ModelOutputs } from './strategy/ModelOutputs.js';
export type { PeerOutputs } from './strategy/PeerOutputs.js';
export { parseOptions } from './strategy/parseOptions.js';
export { resizeBilinearHalfPixel } from './strategy/resizeBilinearHalfPixel.js';
export { resolveTeacherName } from './strategy/resolveTeacherName.js';
export type { StrategyCreationContext } from './strategy/StrategyCreationContext.js';
export { StrategyFactory } from './strategy/StrategyFactory.js';
export type { StrategyLoss } from './strategy/StrategyLoss.js';
export type { StrategyPretraining } from './strategy/StrategyPretraining.js';
export { StrategyRegistry } from './strategy/StrategyRegistry.js';
export { StrategySpec } from './strategy/StrategySpec.js';
export { stopGradient } from './strategy/stopGradient.js';
export { strategySpecSchema } from './strategy/strategySpecSchema.js';
export type { SymbolicShape, TapShapes } from './strategy/TapShapes.js';
export type { TeacherOutputs } from './strategy/TeacherOutputs.js';
export type { TeacherCacheStats } from './teachers/TeacherCacheStats.js';
export type { Callback } from './training/Callback.js';
export { Distiller, type FitOptions } from './training/Distiller.js';
export type {
  BatchEndEvent,
  DistillerEvents,
  EpochBeginEvent,
  EpochEndEvent,
  TrainBeginEvent,
  TrainEndEvent,
} from './training/DistillerEvents.js';
export type { EpochMetrics } from './training/EpochMetrics.js';
export { TrainingInterrupted } from './training/TrainingInterrupted.js';
export {
  type OptimizerOptions,
  type ScheduleOptions,
  type TeacherCacheOptions,
  TrainingOptions,
  type TrainingOptionsInput,
} from './training/TrainingOptions.js';
export { trainingOptionsSchema } from './training/trainingOptionsSchema.js';
