import { Minimum } from '@tensorflow/tfjs-core';
import { fastBinaryKernelConfig } from './fastBinaryKernelConfig.js';
import { nativeBinaryOp } from './nativeElementwiseOps.js';

/** Minimum in the addon, for every broadcast (see {@link fastBinaryKernelConfig}). */
export const minimumConfig = fastBinaryKernelConfig(Minimum, nativeBinaryOp.minimum);
