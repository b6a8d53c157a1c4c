import { Square } from '@tensorflow/tfjs-core';
import { fastUnaryKernelConfig } from './fastUnaryKernelConfig.js';
import { nativeUnaryOp } from './nativeElementwiseOps.js';

/** Square in the addon (the loop is the reference it must equal: x·x rounded to float32). */
export const squareConfig = fastUnaryKernelConfig(
  Square,
  (x, out) => {
    for (let i = 0; i < out.length; i++) out[i] = (x[i] as number) * (x[i] as number);
  },
  nativeUnaryOp.square,
);
