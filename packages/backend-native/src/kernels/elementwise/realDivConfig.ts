import { RealDiv } from '@tensorflow/tfjs-core';
import { fastBinaryKernelConfig } from './fastBinaryKernelConfig.js';
import { nativeBinaryOp } from './nativeElementwiseOps.js';

/** RealDiv in the addon, for every broadcast (see {@link fastBinaryKernelConfig}). */
export const realDivConfig = fastBinaryKernelConfig(RealDiv, nativeBinaryOp.div);
