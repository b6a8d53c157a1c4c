import { Mean } from '@tensorflow/tfjs-core';
import { nativeReductionConfig } from './nativeReductionConfig.js';

/** Mean over neighbouring axes in the addon (see {@link nativeReductionConfig}). */
export const meanConfig = nativeReductionConfig(Mean);
