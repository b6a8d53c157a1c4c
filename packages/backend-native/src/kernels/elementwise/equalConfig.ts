import { Equal } from '@tensorflow/tfjs-core';
import { comparisonKernelConfig, nativeCompareOp } from './comparisonKernelConfig.js';

/** Equal in the addon, for every broadcast (see {@link comparisonKernelConfig}). */
export const equalConfig = comparisonKernelConfig(Equal, nativeCompareOp.equal);
