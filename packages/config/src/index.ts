export { type BuildModelOptions, buildModel } from './buildModel.js';
export { dataSchema } from './dataSchema.js';
export {
  type DataConfig,
  type ExperimentConfig,
  type ExperimentConfigInput,
  experimentConfigSchema,
  type ModelConfig,
  type ZooModelConfig,
} from './experimentConfigSchema.js';
export { experimentJsonSchema } from './experimentJsonSchema.js';
export { loadedModelTypes } from './loadedModelTypes.js';
export { modelSchema, zooModelSchema } from './modelSchema.js';
export { optionsJsonSchema } from './optionsJsonSchema.js';
export { parseConfig } from './parseConfig.js';
export { SeededDropout } from './SeededDropout.js';
export type { SeededDropoutArgs } from './SeededDropoutArgs.js';
export { stageTrainingSchema } from './stageTrainingSchema.js';
