export { featureHint } from './featureHint.js';
export { featurePlugin, featurePlugin as default } from './featurePlugin.js';
export { HintAdapter, type HintAdapterOptions } from './HintAdapter.js';
export { HintAdapterSet } from './HintAdapterSet.js';
export type { HintAdapterSetOptions } from './HintAdapterSetOptions.js';
export type { HintLossOptions } from './HintLossOptions.js';
export type { HintPair } from './HintPair.js';
export { hintLoss } from './hintLoss.js';
