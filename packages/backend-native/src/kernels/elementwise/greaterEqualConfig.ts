import { GreaterEqual } from '@tensorflow/tfjs-core';
import { comparisonKernelConfig, nativeCompareOp } from './comparisonKernelConfig.js';

/** GreaterEqual in the addon, for every broadcast (see {@link comparisonKernelConfig}). */
export const greaterEqualConfig = comparisonKernelConfig(GreaterEqual, nativeCompareOp.greaterEqual);
