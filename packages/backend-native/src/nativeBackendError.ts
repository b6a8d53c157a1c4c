import { nativeAddon } from './nativeAddon.js';

/** Why the 'native' backend is not available (the addon failed to build or load), or undefined when it is. */
export const nativeBackendError: string | undefined = nativeAddon.error;
