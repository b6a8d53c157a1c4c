import type { NativeBackend } from '../NativeBackend.js';
import { activationCode } from './activationCode.js';
import type { Epilogue } from './Epilogue.js';
import { perChannelValues } from './perChannelValues.js';

/** tfjs's fused ops default the leaky ReLU slope to 0.2. */
const defaultLeakyReluAlpha = 0.2;

/**
 * The addon's arguments for `epilogue` (none: a plain product), or undefined when its bias or PReLU
 * weights have a shape the addon cannot broadcast.
 */
export function nativeEpilogue(
  backend: NativeBackend,
  epilogue: Epilogue | undefined,
  channels: number,
): { bias: Float32Array | null; activation: number; alpha: number; preluAlpha: Float32Array | null } | undefined {
  if (epilogue === undefined) return { bias: null, activation: 0, alpha: 0, preluAlpha: null };
  const bias = epilogue.bias === undefined ? null : perChannelValues(backend, epilogue.bias, channels);
  if (bias === undefined) return undefined;
  let preluAlpha: Float32Array | null = null;
  if (epilogue.activation === 'prelu') {
    if (epilogue.preluActivationWeights === undefined) return undefined;
    const weights = perChannelValues(backend, epilogue.preluActivationWeights, channels);
    if (weights === undefined) return undefined;
    preluAlpha = weights;
  }
  return {
    bias,
    activation: activationCode(epilogue.activation),
    alpha: epilogue.leakyreluAlpha ?? defaultLeakyReluAlpha,
    preluAlpha,
  };
}
