import { Step } from '@tensorflow/tfjs-core';
import { fastUnaryKernelConfig } from './fastUnaryKernelConfig.js';
import { nativeUnaryOp } from './nativeElementwiseOps.js';

/**
 * Step (ReLU's derivative: 1 above zero, else alpha; NaN stays NaN). The comparison indexes a two-entry
 * table rather than branching, since a branch on the sign of ReLU's inputs is mispredicted half the time.
 * The addon computes it (this loop is the reference).
 */
export const stepConfig = fastUnaryKernelConfig(
  Step,
  (x, out, attrs) => {
    const choices = Float64Array.of(attrs.alpha as number, 1);
    for (let i = 0; i < out.length; i++) {
      const value = x[i] as number;
      out[i] = Number.isNaN(value) ? value : (choices[+(value > 0)] as number);
    }
  },
  nativeUnaryOp.step,
  (attrs) => attrs.alpha as number,
);
