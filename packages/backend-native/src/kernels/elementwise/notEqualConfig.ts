import { NotEqual } from '@tensorflow/tfjs-core';
import { comparisonKernelConfig, nativeCompareOp } from './comparisonKernelConfig.js';

/** NotEqual in the addon, for every broadcast (see {@link comparisonKernelConfig}). */
export const notEqualConfig = comparisonKernelConfig(NotEqual, nativeCompareOp.notEqual);
