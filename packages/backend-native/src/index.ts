import '@tensorflow/tfjs-backend-cpu';
import { registerNativeBackend } from './registerNativeBackend.js';

registerNativeBackend();

export { nativeKernelConfigs } from './kernels/nativeKernelConfigs.js';
export type { NativeAddonBinding } from './NativeAddonBinding.js';
export { NativeBackend } from './NativeBackend.js';
export { nativeAddon } from './nativeAddon.js';
export { nativeBackendAvailable } from './nativeBackendAvailable.js';
export { nativeBackendError } from './nativeBackendError.js';
export { registerNativeBackend } from './registerNativeBackend.js';
