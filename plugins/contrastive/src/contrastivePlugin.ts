import { StrategyFactory } from '@distillery/core';
import { ContainerModule } from 'inversify';
import { crdStrategyFactory } from './crdStrategyFactory.js';

/** Binds the contrastive strategy `contrastive.crd`. Pass it in an experiment's `plugins`. */
export const contrastivePlugin = new ContainerModule(({ bind }) => {
  bind(StrategyFactory).toConstantValue(crdStrategyFactory);
});
