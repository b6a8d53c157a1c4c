import type { backend_util } from '@tensorflow/tfjs-core';

const codes: Record<backend_util.Activation, number> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  leakyrelu: 3,
  sigmoid: 4,
  elu: 5,
  prelu: 6,
};

/** The addon's number for a tfjs fused activation. */
export function activationCode(activation: backend_util.Activation): number {
  return codes[activation];
}
