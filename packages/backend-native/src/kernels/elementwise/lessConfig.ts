import { Less } from '@tensorflow/tfjs-core';
import { comparisonKernelConfig, nativeCompareOp } from './comparisonKernelConfig.js';

/** Less in the addon, for every broadcast (see {@link comparisonKernelConfig}). */
export const lessConfig = comparisonKernelConfig(Less, nativeCompareOp.less);
