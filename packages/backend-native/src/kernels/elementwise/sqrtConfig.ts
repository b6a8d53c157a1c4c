import { Sqrt } from '@tensorflow/tfjs-core';
import { fastUnaryKernelConfig } from './fastUnaryKernelConfig.js';

/** Sqrt in a tight float32 loop. */
export const sqrtConfig = fastUnaryKernelConfig(Sqrt, (x, out) => {
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(x[i] as number);
});
