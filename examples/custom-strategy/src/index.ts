export { cosineLogitsLoss } from './cosineLogitsLoss.js';
export { cosinePlugin, cosinePlugin as default } from './cosinePlugin.js';
export { cosineStrategyFactory } from './cosineStrategyFactory.js';
