import { SquaredDifference } from '@tensorflow/tfjs-core';
import { fastBinaryKernelConfig } from './fastBinaryKernelConfig.js';
import { nativeBinaryOp } from './nativeElementwiseOps.js';

/** SquaredDifference in the addon, for every broadcast (see {@link fastBinaryKernelConfig}). */
export const squaredDifferenceConfig = fastBinaryKernelConfig(SquaredDifference, nativeBinaryOp.squaredDifference);
