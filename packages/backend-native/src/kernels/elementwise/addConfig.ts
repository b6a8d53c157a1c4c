import { Add } from '@tensorflow/tfjs-core';
import { fastBinaryKernelConfig } from './fastBinaryKernelConfig.js';
import { nativeBinaryOp } from './nativeElementwiseOps.js';

/** Add in the addon, for every broadcast (see {@link fastBinaryKernelConfig}). */
export const addConfig = fastBinaryKernelConfig(Add, nativeBinaryOp.add);
