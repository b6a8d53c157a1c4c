import * as z from 'zod';

/** The values of {@link BackendPreference}, for configs. */
export const backendPreferenceSchema = z.enum(['auto', 'tensorflow', 'native', 'webgpu', 'webgl', 'wasm', 'cpu']);
