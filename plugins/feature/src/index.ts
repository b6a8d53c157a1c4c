export { type BuildHintAdaptersOptions, buildHintAdapters, type HintPair } from './buildHintAdapters.js';
export { featureHint } from './featureHint.js';
export { featurePlugin, featurePlugin as default } from './featurePlugin.js';
export { HintAdapter, type HintAdapterOptions } from './HintAdapter.js';
export { hintLoss } from './hintLoss.js';
