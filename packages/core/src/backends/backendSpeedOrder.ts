/** Registered tfjs backends from fastest to slowest for training, as `auto` tries them. */
export const backendSpeedOrder: readonly string[] = ['tensorflow', 'native', 'webgpu', 'webgl', 'wasm', 'cpu'];
