import { Relu } from '@tensorflow/tfjs-core';
import { fastUnaryKernelConfig } from './fastUnaryKernelConfig.js';
import { nativeUnaryOp } from './nativeElementwiseOps.js';

/**
 * Relu on the float32 bit patterns: a set sign bit clears the value (to +0), except on NaN, which stays
 * NaN as on the cpu backend. Branch-free, because a compare-and-branch on the sign of ReLU's inputs is
 * mispredicted half the time and costs four times the loop. The addon runs the same loop, vectorised.
 */
export const reluConfig = fastUnaryKernelConfig(
  Relu,
  (x, out) => {
    const bits = new Int32Array(x.buffer, x.byteOffset, x.length);
    const outBits = new Int32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < outBits.length; i++) {
      const value = bits[i] as number;
      // -1 when the magnitude's bits exceed infinity's, i.e. NaN; else 0.
      const nan = (0x7f800000 - (value & 0x7fffffff)) >> 31;
      outBits[i] = value & ~((value >> 31) & ~nan);
    }
  },
  nativeUnaryOp.relu,
);
