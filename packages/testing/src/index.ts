export { expectNoLeaks } from './expectNoLeaks.js';
export { FakeStrategy, fakeStrategyFactory } from './FakeStrategy.js';
export { type FixtureCnnOptions, fixtureCnn } from './fixtureCnn.js';
export { type FixtureMlpOptions, fixtureMlp } from './fixtureMlp.js';
export { silentLogger } from './silentLogger.js';
export { splitDataset } from './splitDataset.js';
export { type SyntheticClassificationOptions, syntheticClassification } from './syntheticClassification.js';
export { trainOnLabels } from './trainOnLabels.js';
export { weightsOf } from './weightsOf.js';
