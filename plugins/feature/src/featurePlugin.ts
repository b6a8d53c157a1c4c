import { StrategyFactory } from '@distillery/core';
import { ContainerModule } from 'inversify';
import { featureHint } from './featureHint.js';

/** Registers `feature.hint` with the kernel: `createDistiller({ …, plugins: [featurePlugin] })`. */
export const featurePlugin = new ContainerModule(({ bind }) => {
  bind(StrategyFactory).toConstantValue(featureHint);
});
