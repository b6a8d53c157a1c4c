import 'reflect-metadata';

export { AdamOptimizer } from './AdamOptimizer.js';
export { adamUpdate } from './adamUpdate.js';
export { BackendPreference } from './BackendPreference.js';
export type { Batch } from './Batch.js';
export { backendPreferenceSchema } from './backendPreferenceSchema.js';
export { backendSpeedOrder } from './backendSpeedOrder.js';
export { CalibrationBins } from './CalibrationBins.js';
export type { Callback } from './Callback.js';
export { clipByGlobalNorm } from './clipByGlobalNorm.js';
export { composeExperiment } from './composeExperiment.js';
export { consoleLogger } from './consoleLogger.js';
export { coreModule } from './coreModule.js';
export { createDistiller } from './createDistiller.js';
export { createOptimizer } from './createOptimizer.js';
export type { BatchOptions, Dataset } from './Dataset.js';
export type { DistillationContext } from './DistillationContext.js';
export { DistillationStrategy } from './DistillationStrategy.js';
export { Distiller, type FitOptions } from './Distiller.js';
export type {
  BatchEndEvent,
  DistillerEvents,
  EpochBeginEvent,
  EpochEndEvent,
  TrainBeginEvent,
  TrainEndEvent,
} from './DistillerEvents.js';
export { DistilleryError } from './DistilleryError.js';
export { describeLayers } from './describeLayers.js';
export { describeZodIssue } from './describeZodIssue.js';
export type { EnsembleEvaluation } from './EnsembleEvaluation.js';
export type { EpochMetrics } from './EpochMetrics.js';
export type { EvaluationMetrics } from './EvaluationMetrics.js';
export type { ExperimentSpec } from './ExperimentSpec.js';
export { ensembleLogProbabilities } from './ensembleLogProbabilities.js';
export { type EvaluateEnsembleOptions, evaluateEnsemble } from './evaluateEnsemble.js';
export { experimentSpecSchema } from './experimentSpecSchema.js';
export type { FeatureTaps } from './FeatureTaps.js';
export { FusedAdam } from './FusedAdam.js';
export type { FusedAdamAttrs } from './FusedAdamAttrs.js';
export { findTeacherOutputs } from './findTeacherOutputs.js';
export { Logger } from './Logger.js';
export { learningRateAt } from './learningRateAt.js';
export { MemoryTeacherOutputStore } from './MemoryTeacherOutputStore.js';
export type { ModelOutputs } from './ModelOutputs.js';
export { ModelView } from './ModelView.js';
export { modelFingerprint } from './modelFingerprint.js';
export { parseOptions } from './parseOptions.js';
export type { RandomDrawsLayer } from './RandomDrawsLayer.js';
export { resizeBilinearHalfPixel } from './resizeBilinearHalfPixel.js';
export { resolveTeacherName } from './resolveTeacherName.js';
export { type RunStagesOptions, runStages, type StageData } from './runStages.js';
export type { StagedExperimentSpec } from './StagedExperimentSpec.js';
export type { StageResult } from './StageResult.js';
export type { StageModelSource, StageSpec } from './StageSpec.js';
export { StageStore } from './StageStore.js';
export type { StateTensor } from './StateTensor.js';
export type { StrategyCreationContext } from './StrategyCreationContext.js';
export { StrategyFactory } from './StrategyFactory.js';
export { StrategyFailure } from './StrategyFailure.js';
export { StrategyRegistry } from './StrategyRegistry.js';
export { StrategySpec } from './StrategySpec.js';
export { Student } from './Student.js';
export { selectBackend } from './selectBackend.js';
export { setLearningRate } from './setLearningRate.js';
export { sha256Hex } from './sha256Hex.js';
export { shuffledIndices } from './shuffledIndices.js';
export { strategySpecSchema } from './strategySpecSchema.js';
export type { SymbolicShape, TapShapes } from './TapShapes.js';
export { Teacher } from './Teacher.js';
export type { TeacherCacheStats } from './TeacherCacheStats.js';
export type { TeacherDiagnostics } from './TeacherDiagnostics.js';
export { TeacherOutputCache } from './TeacherOutputCache.js';
export type { TeacherOutputLayout } from './TeacherOutputLayout.js';
export type { TeacherOutputStore } from './TeacherOutputStore.js';
export { TeacherOutputStoreFactory } from './TeacherOutputStoreFactory.js';
export type { TeacherOutputs } from './TeacherOutputs.js';
export { TensorDataset } from './TensorDataset.js';
export { TrainingInterrupted } from './TrainingInterrupted.js';
export {
  type OptimizerOptions,
  type ScheduleOptions,
  type TeacherCacheOptions,
  TrainingOptions,
  type TrainingOptionsInput,
} from './TrainingOptions.js';
export type { TrainingState } from './TrainingState.js';
export { taskCrossEntropy } from './taskCrossEntropy.js';
export { teacherRowCodec } from './teacherRowCodec.js';
export { trainingOptionsSchema } from './trainingOptionsSchema.js';
export { uniqueVariableName } from './uniqueVariableName.js';
