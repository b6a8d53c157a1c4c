/** DI token for which tfjs backend an experiment runs on. */
export const BackendPreference = Symbol.for('@distillery/core/BackendPreference');

/**
 * `auto` picks the fastest registered backend that has every kernel the experiment's training step
 * runs. The others name a backend, which must then be registered and complete.
 */
export type BackendPreference = 'auto' | 'tensorflow' | 'native' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
