import { Multiply } from '@tensorflow/tfjs-core';
import { fastBinaryKernelConfig } from './fastBinaryKernelConfig.js';
import { nativeBinaryOp } from './nativeElementwiseOps.js';

/** Multiply in the addon, for every broadcast (see {@link fastBinaryKernelConfig}). */
export const multiplyConfig = fastBinaryKernelConfig(Multiply, nativeBinaryOp.mul);
