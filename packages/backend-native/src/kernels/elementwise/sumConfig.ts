import { Sum } from '@tensorflow/tfjs-core';
import { nativeReductionConfig } from './nativeReductionConfig.js';

/** Sum over neighbouring axes in the addon (see {@link nativeReductionConfig}). */
export const sumConfig = nativeReductionConfig(Sum);
