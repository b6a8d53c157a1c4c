/**
 * Kernel parts the CLI and the Node-only packages build on (the backend choice, the teacher-output store and
 * its row format, the optimizers the native backend fuses, checkpoint tensors). Not for plugins: this subpath
 * follows the kernel's needs and may change in any release. The public API is the package's main export.
 */
export { BackendPreference } from './backends/BackendPreference.js';
export { backendPreferenceSchema } from './backends/backendPreferenceSchema.js';
export { backendSpeedOrder } from './backends/backendSpeedOrder.js';
export { selectBackend } from './backends/selectBackend.js';
export { describeZodIssue } from './errors/describeZodIssue.js';
export { CalibrationBins } from './evaluation/CalibrationBins.js';
export { inferBatches } from './evaluation/inferBatches.js';
export { describeLayers } from './models/describeLayers.js';
export { ForwardModelView } from './models/ForwardModelView.js';
export { ModelView } from './models/ModelView.js';
export { modelFingerprint } from './models/modelFingerprint.js';
export type { RandomDrawsLayer } from './models/RandomDrawsLayer.js';
export type { TeacherView } from './models/TeacherView.js';
export { teacherFingerprint } from './models/teacherFingerprint.js';
export { viewOfTeacher } from './models/viewOfTeacher.js';
export { BatchNormTraining } from './normalization/BatchNormTraining.js';
export type { BatchNormTrainingAttrs } from './normalization/BatchNormTrainingAttrs.js';
export { BatchNormTrainingGrad } from './normalization/BatchNormTrainingGrad.js';
export { batchNormInTraining } from './normalization/batchNormInTraining.js';
export { installBatchNormTraining } from './normalization/installBatchNormTraining.js';
export { AdamOptimizer } from './optimizers/AdamOptimizer.js';
export { adamUpdate } from './optimizers/adamUpdate.js';
export { createOptimizer } from './optimizers/createOptimizer.js';
export { FusedAdam } from './optimizers/FusedAdam.js';
export type { FusedAdamAttrs } from './optimizers/FusedAdamAttrs.js';
export type { StageLease } from './stages/StageLease.js';
export { StageStore } from './stages/StageStore.js';
export { MemoryTeacherOutputStore } from './teachers/MemoryTeacherOutputStore.js';
export { readTeacherLayerWeights } from './teachers/readTeacherLayerWeights.js';
export { sha256Hex } from './teachers/sha256Hex.js';
export { TeacherOutputCache } from './teachers/TeacherOutputCache.js';
export type { TeacherOutputLayout } from './teachers/TeacherOutputLayout.js';
export type { TeacherOutputStore } from './teachers/TeacherOutputStore.js';
export { TeacherOutputStoreFactory } from './teachers/TeacherOutputStoreFactory.js';
export { teacherRowCodec } from './teachers/teacherRowCodec.js';
export { clipByGlobalNorm } from './training/clipByGlobalNorm.js';
export { learningRateAt } from './training/learningRateAt.js';
export { setLearningRate } from './training/setLearningRate.js';
export { uniqueVariableName } from './training/uniqueVariableName.js';
