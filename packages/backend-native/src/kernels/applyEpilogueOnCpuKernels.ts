import { Add, Elu, Identity, LeakyRelu, Prelu, Relu, Relu6, Sigmoid, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import type { Epilogue } from './Epilogue.js';
import { runCpuKernel } from './runCpuKernel.js';

const activationKernels = {
  linear: Identity,
  relu: Relu,
  relu6: Relu6,
  elu: Elu,
  sigmoid: Sigmoid,
  leakyrelu: LeakyRelu,
  prelu: Prelu,
} as const;

/**
 * `activation(product + bias)` by the cpu kernels, for bias and PReLU shapes the addon does not take;
 * the same steps as the cpu backend's fused kernels. Consumes `product`.
 */
export function applyEpilogueOnCpuKernels(backend: NativeBackend, product: TensorInfo, epilogue: Epilogue): TensorInfo {
  let result = product;
  if (epilogue.bias !== undefined) {
    const sum = runCpuKernel(Add, { inputs: { a: result, b: epilogue.bias }, backend });
    backend.disposeIntermediateTensorInfo(result);
    result = sum;
  }
  if (epilogue.activation !== 'linear') {
    const inputs: Record<string, TensorInfo> = { x: result };
    if (epilogue.activation === 'prelu' && epilogue.preluActivationWeights !== undefined) {
      inputs.alpha = epilogue.preluActivationWeights;
    }
    const activated = runCpuKernel(activationKernels[epilogue.activation], {
      inputs,
      backend,
      attrs: { alpha: epilogue.leakyreluAlpha ?? 0.2 },
    });
    backend.disposeIntermediateTensorInfo(result);
    result = activated;
  }
  return result;
}
