import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddonBinding } from './NativeAddonBinding.js';

/**
 * The cpu backend with its hot kernels (GEMM, convolutions, pooling) run by the C++ addon. Tensors live
 * in the cpu backend's TypedArrays, which the addon reads and writes in place, so every cpu kernel also
 * works here unchanged (see registerNativeBackend).
 */
export class NativeBackend extends MathBackendCPU {
  constructor(readonly addon: NativeAddonBinding) {
    super();
    // The cpu backend's first write tells Node users to install tfjs-node; on this backend that advice is wrong.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }
}
