export { attentionMap } from './attentionMap.js';
export { attentionPlugin, attentionPlugin as default } from './attentionPlugin.js';
export { attentionTransfer } from './attentionTransfer.js';
export { attentionTransferLoss } from './attentionTransferLoss.js';
export { describeResizeProblem } from './describeResizeProblem.js';
export { matchSpatialSize } from './matchSpatialSize.js';
export type { ResizeMethod } from './ResizeMethod.js';
