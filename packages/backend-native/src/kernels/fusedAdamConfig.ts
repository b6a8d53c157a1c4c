import { FusedAdam, type FusedAdamAttrs } from '@distillery/core/internal';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../NativeBackend.js';
import { float32Values } from './float32Values.js';

/**
 * Distillery's fused Adam step in the addon: one pass that reads θ, m, v and g once and writes θ', m', v'
 * (the tensor-operation formula's values, bit for bit). The updated variable always gets a new buffer, as
 * with every tfjs optimizer, so values read from it earlier (`dataSync` hands out the buffer itself) stay
 * as they were. The moments are the optimizer's private state: a moment buffer no other tensor shares is
 * updated in place, sparing two allocations of the variable's size per step; a shared one is copied.
 */
export const fusedAdamConfig: KernelConfig = {
  kernelName: FusedAdam,
  backendName: 'native',
  kernelFunc: ({ inputs, backend: kernelBackend, attrs }) => {
    const backend = kernelBackend as NativeBackend;
    const { variable, firstMoment, secondMoment, gradient } = inputs as Record<
      'variable' | 'firstMoment' | 'secondMoment' | 'gradient',
      TensorInfo
    >;
    const { beta1, beta2, biasCorrection1, biasCorrection2, epsilon, learningRate } = attrs as unknown as FusedAdamAttrs;
    const updatedVariable = new Float32Array(float32Values(backend, variable).length);
    const [firstOut, firstInfo] = reusedOrNew(backend, firstMoment, [variable, gradient, secondMoment]);
    const [secondOut, secondInfo] = reusedOrNew(backend, secondMoment, [variable, gradient, firstMoment]);
    backend.addon.adamUpdate(
      float32Values(backend, variable),
      float32Values(backend, firstMoment),
      float32Values(backend, secondMoment),
      float32Values(backend, gradient),
      updatedVariable,
      firstOut,
      secondOut,
      beta1,
      beta2,
      biasCorrection1,
      biasCorrection2,
      epsilon,
      learningRate,
    );
    return [
      backend.makeTensorInfo(variable.shape, 'float32', updatedVariable),
      firstInfo ?? backend.makeTensorInfo(firstMoment.shape, 'float32', firstOut),
      secondInfo ?? backend.makeTensorInfo(secondMoment.shape, 'float32', secondOut),
    ];
  },
};

/**
 * The buffer to write `moment`'s update into: its own, returned as the output (one more reference to the
 * same data), when no other tensor holds that data and it is a Float32Array; else a new one.
 */
function reusedOrNew(backend: NativeBackend, moment: TensorInfo, others: TensorInfo[]): [Float32Array, TensorInfo | undefined] {
  const values = backend.data.get(moment.dataId).values;
  const exclusive =
    backend.refCount(moment.dataId) === 1 &&
    values instanceof Float32Array &&
    others.every((other) => other.dataId !== moment.dataId);
  if (!exclusive) return [new Float32Array(float32Values(backend, moment).length), undefined];
  backend.incRef(moment.dataId);
  return [values as Float32Array, { dataId: moment.dataId, shape: moment.shape, dtype: 'float32' }];
}
