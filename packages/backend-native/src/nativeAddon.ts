import { createRequire } from 'node:module';
import type { NativeAddonBinding } from './NativeAddonBinding.js';

/** Where the install step (scripts/build-addon.mjs, node-gyp) puts the addon, relative to src/ and dist/. */
const addonPath = '../build/Release/distillery_native.node';

function loadNativeAddon():
  | { readonly binding: NativeAddonBinding; readonly error?: undefined }
  | { readonly binding?: undefined; readonly error: string } {
  try {
    return { binding: createRequire(import.meta.url)(addonPath) as NativeAddonBinding };
  } catch (error) {
    // A failed build leaves no file; an addon built for another Node ABI or CPU fails here too.
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return {
      error: `the native addon build/Release/distillery_native.node could not be loaded (${reason}); build it with 'npm rebuild @distillery/backend-native'`,
    };
  }
}

/** The compiled addon, or why it could not be loaded (then the package registers no backend). */
export const nativeAddon = loadNativeAddon();
