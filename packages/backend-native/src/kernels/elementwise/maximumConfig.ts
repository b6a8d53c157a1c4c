import { Maximum } from '@tensorflow/tfjs-core';
import { fastBinaryKernelConfig } from './fastBinaryKernelConfig.js';
import { nativeBinaryOp } from './nativeElementwiseOps.js';

/** Maximum in the addon, for every broadcast (see {@link fastBinaryKernelConfig}). */
export const maximumConfig = fastBinaryKernelConfig(Maximum, nativeBinaryOp.maximum);
