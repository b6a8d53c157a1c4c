import { StrategyFactory } from '@distillery/core';
import { ContainerModule } from 'inversify';
import { cosineStrategyFactory } from './cosineStrategyFactory.js';

/** Binds the `custom.cosine` strategy. Pass it in an experiment's `plugins`, or name this package in a config's. */
export const cosinePlugin = new ContainerModule(({ bind }) => {
  bind(StrategyFactory).toConstantValue(cosineStrategyFactory);
});
