import { StrategyFactory } from '@distillery/core';
import { ContainerModule } from 'inversify';
import { featureFt } from './featureFt.js';
import { featureFtParaphraser } from './featureFtParaphraser.js';
import { featureHint } from './featureHint.js';
import { featureOfd } from './featureOfd.js';
import { featureReview } from './featureReview.js';
import { featureVid } from './featureVid.js';

/** Registers `feature.ft`, `feature.ft.paraphraser`, `feature.hint`, `feature.ofd`, `feature.review` and `feature.vid` with the kernel: `createDistiller({ …, plugins: [featurePlugin] })`. */
export const featurePlugin = new ContainerModule(({ bind }) => {
  bind(StrategyFactory).toConstantValue(featureFt);
  bind(StrategyFactory).toConstantValue(featureFtParaphraser);
  bind(StrategyFactory).toConstantValue(featureHint);
  bind(StrategyFactory).toConstantValue(featureOfd);
  bind(StrategyFactory).toConstantValue(featureReview);
  bind(StrategyFactory).toConstantValue(featureVid);
});
