import { Sqrt } from '@tensorflow/tfjs-core';
import { fastUnaryKernelConfig } from './fastUnaryKernelConfig.js';
import { nativeUnaryOp } from './nativeElementwiseOps.js';

/** Sqrt in the addon (the loop is the reference it must equal). */
export const sqrtConfig = fastUnaryKernelConfig(
  Sqrt,
  (x, out) => {
    for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(x[i] as number);
  },
  nativeUnaryOp.sqrt,
);
