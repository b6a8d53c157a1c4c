import { LessEqual } from '@tensorflow/tfjs-core';
import { comparisonKernelConfig, nativeCompareOp } from './comparisonKernelConfig.js';

/** LessEqual in the addon, for every broadcast (see {@link comparisonKernelConfig}). */
export const lessEqualConfig = comparisonKernelConfig(LessEqual, nativeCompareOp.lessEqual);
