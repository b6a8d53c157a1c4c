import { type KernelConfig, Softmax, type SoftmaxAttrs, type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../../NativeBackend.js';
import { float32Values } from '../float32Values.js';
import { runCpuKernel } from '../runCpuKernel.js';

/**
 * Softmax over the last axis, one row at a time in one loop, where the cpu kernel runs six kernels (max,
 * reshape, a broadcast subtraction computed index by index, exp, sum, a broadcast division) with an
 * intermediate array each: on a KD step's [B, C] logits that is most of its cost. The same operations in
 * the same order and precision (float32 after each, the sum in double), so the values are the cpu
 * kernel's bit for bit.
 */
export const softmaxConfig: KernelConfig = {
  kernelName: Softmax,
  backendName: 'native',
  kernelFunc: (args) => {
    const { logits } = args.inputs as Record<'logits', TensorInfo>;
    const { dim } = args.attrs as unknown as SoftmaxAttrs;
    const rank = logits.shape.length;
    if (logits.dtype !== 'float32' || rank === 0 || (dim !== -1 && dim !== rank - 1)) return runCpuKernel(Softmax, args);
    const backend = args.backend as NativeBackend;
    const values = float32Values(backend, logits);
    const columns = logits.shape[rank - 1] as number;
    const out = backend.float32Output(util.sizeFromShape(logits.shape), false);
    const fround = Math.fround;
    for (let start = 0; start < out.length; start += columns) {
      const end = start + columns;
      let max = Number.NEGATIVE_INFINITY;
      for (let i = start; i < end; i++) {
        const value = values[i] as number;
        // As the cpu Max kernel: NaN wins, else the largest.
        if (Number.isNaN(value) || value > max) max = value;
        if (Number.isNaN(value)) break;
      }
      let sum = 0;
      for (let i = start; i < end; i++) {
        const exponential = fround(Math.exp(fround((values[i] as number) - max)));
        out[i] = exponential;
        sum += exponential;
      }
      const total = fround(sum);
      for (let i = start; i < end; i++) out[i] = (out[i] as number) / total;
    }
    return backend.makeTensorInfo(logits.shape, 'float32', out);
  },
};
