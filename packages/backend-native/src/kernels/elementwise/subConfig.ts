import { Sub } from '@tensorflow/tfjs-core';
import { fastBinaryKernelConfig } from './fastBinaryKernelConfig.js';
import { nativeBinaryOp } from './nativeElementwiseOps.js';

/** Sub in the addon, for every broadcast (see {@link fastBinaryKernelConfig}). */
export const subConfig = fastBinaryKernelConfig(Sub, nativeBinaryOp.sub);
