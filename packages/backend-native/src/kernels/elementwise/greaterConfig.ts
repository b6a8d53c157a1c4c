import { Greater } from '@tensorflow/tfjs-core';
import { comparisonKernelConfig, nativeCompareOp } from './comparisonKernelConfig.js';

/** Greater in the addon, for every broadcast (see {@link comparisonKernelConfig}). */
export const greaterConfig = comparisonKernelConfig(Greater, nativeCompareOp.greater);
