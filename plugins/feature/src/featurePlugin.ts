import { StrategyFactory } from '@distillery/core';
import { ContainerModule } from 'inversify';
import { featureHint } from './featureHint.js';
import { featureReview } from './featureReview.js';
import { featureVid } from './featureVid.js';

/** Registers `feature.hint`, `feature.review` and `feature.vid` with the kernel: `createDistiller({ …, plugins: [featurePlugin] })`. */
export const featurePlugin = new ContainerModule(({ bind }) => {
  bind(StrategyFactory).toConstantValue(featureHint);
  bind(StrategyFactory).toConstantValue(featureReview);
  bind(StrategyFactory).toConstantValue(featureVid);
});
