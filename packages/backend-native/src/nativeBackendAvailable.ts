import { nativeAddon } from './nativeAddon.js';

/** Whether the addon loaded, so that importing this package registered the 'native' backend. */
export const nativeBackendAvailable: boolean = nativeAddon.binding !== undefined;
