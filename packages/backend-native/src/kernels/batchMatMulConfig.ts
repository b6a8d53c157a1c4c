import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type BatchMatMulInputs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { nativeMatMul } from './nativeMatMul.js';
import { runCpuKernel } from './runCpuKernel.js';

/** BatchMatMul on the addon's GEMM. */
export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'native',
  kernelFunc: (args) => {
    const { a, b } = args.inputs as unknown as BatchMatMulInputs;
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const backend = args.backend as NativeBackend;
    return nativeMatMul(backend, a as TensorInfo, b as TensorInfo, transposeA, transposeB) ?? runCpuKernel(BatchMatMul, args);
  },
};
