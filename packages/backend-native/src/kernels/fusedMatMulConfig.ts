import {
  _FusedMatMul,
  type _FusedMatMulAttrs,
  type _FusedMatMulInputs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { nativeMatMul } from './nativeMatMul.js';
import { runCpuKernel } from './runCpuKernel.js';

/** _FusedMatMul (what tfjs-layers' Dense runs) on the addon's GEMM, bias and activation applied as each tile is stored. */
export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: 'native',
  kernelFunc: (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as unknown as _FusedMatMulInputs;
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as unknown as _FusedMatMulAttrs;
    const backend = args.backend as NativeBackend;
    const epilogue = {
      activation,
      ...(bias === undefined ? {} : { bias: bias as TensorInfo }),
      ...(preluActivationWeights === undefined ? {} : { preluActivationWeights: preluActivationWeights as TensorInfo }),
      ...(leakyreluAlpha === undefined ? {} : { leakyreluAlpha }),
    };
    return (
      nativeMatMul(backend, a as TensorInfo, b as TensorInfo, transposeA, transposeB, epilogue) ??
      runCpuKernel(_FusedMatMul, args)
    );
  },
};
