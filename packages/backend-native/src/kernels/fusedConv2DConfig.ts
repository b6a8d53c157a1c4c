import {
  FusedConv2D,
  type FusedConv2DAttrs,
  type FusedConv2DInputs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { nativeConv2D } from './nativeConv2D.js';
import { runCpuKernel } from './runCpuKernel.js';

/** FusedConv2D (what tfjs-layers' Conv2D runs) on the addon, bias and activation applied as each output is stored. */
export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: 'native',
  kernelFunc: (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as unknown as FusedConv2DInputs;
    const attrs = args.attrs as unknown as FusedConv2DAttrs;
    const backend = args.backend as NativeBackend;
    const epilogue = {
      activation: attrs.activation,
      ...(bias === undefined ? {} : { bias: bias as TensorInfo }),
      ...(preluActivationWeights === undefined ? {} : { preluActivationWeights: preluActivationWeights as TensorInfo }),
      ...(attrs.leakyreluAlpha === undefined ? {} : { leakyreluAlpha: attrs.leakyreluAlpha }),
    };
    return nativeConv2D(backend, x as TensorInfo, filter as TensorInfo, attrs, epilogue) ?? runCpuKernel(FusedConv2D, args);
  },
};
