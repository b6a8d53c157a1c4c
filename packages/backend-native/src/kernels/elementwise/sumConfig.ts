import { Sum } from '@tensorflow/tfjs-core';
import { nativeReductionConfig } from './nativeReductionConfig.js';

/** Sum over leading or trailing axes in the addon (see {@link nativeReductionConfig}). */
export const sumConfig = nativeReductionConfig(Sum);
