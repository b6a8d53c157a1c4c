import { Add } from '@tensorflow/tfjs-core';
import { fastBinaryKernelConfig } from './fastBinaryKernelConfig.js';
import { nativeBinaryOp } from './nativeElementwiseOps.js';

/** Add in the addon for operands of one size and scalars, else in tight float32 loops. */
export const addConfig = fastBinaryKernelConfig(
  Add,
  {
    same: (a, b, out) => {
      for (let i = 0; i < out.length; i++) out[i] = (a[i] as number) + (b[i] as number);
    },
    scalarRight: (a, b, out) => {
      for (let i = 0; i < out.length; i++) out[i] = (a[i] as number) + b;
    },
    scalarLeft: (a, b, out) => {
      for (let i = 0; i < out.length; i++) out[i] = a + (b[i] as number);
    },
    rowsRight: (a, b, out) => {
      for (let row = 0; row < out.length; row += b.length) {
        for (let c = 0; c < b.length; c++) out[row + c] = (a[row + c] as number) + (b[c] as number);
      }
    },
    rowsLeft: (a, b, out) => {
      for (let row = 0; row < out.length; row += a.length) {
        for (let c = 0; c < a.length; c++) out[row + c] = (a[c] as number) + (b[row + c] as number);
      }
    },
    columnsRight: (a, b, out) => {
      const columns = out.length / b.length;
      for (let r = 0; r < b.length; r++) {
        const value = b[r] as number;
        for (let c = r * columns; c < (r + 1) * columns; c++) out[c] = (a[c] as number) + value;
      }
    },
    columnsLeft: (a, b, out) => {
      const columns = out.length / a.length;
      for (let r = 0; r < a.length; r++) {
        const value = a[r] as number;
        for (let c = r * columns; c < (r + 1) * columns; c++) out[c] = value + (b[c] as number);
      }
    },
  },
  nativeBinaryOp.add,
);
