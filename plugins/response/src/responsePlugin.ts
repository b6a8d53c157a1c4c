import { StrategyFactory } from '@distillery/core';
import { ContainerModule } from 'inversify';
import { distStrategyFactory } from './distStrategyFactory.js';
import { dkdStrategyFactory } from './dkdStrategyFactory.js';
import { kdStrategyFactory } from './kdStrategyFactory.js';

/** Binds the `response.kd`, `response.dkd` and `response.dist` strategies. Pass it in an experiment's `plugins`. */
export const responsePlugin = new ContainerModule(({ bind }) => {
  bind(StrategyFactory).toConstantValue(kdStrategyFactory);
  bind(StrategyFactory).toConstantValue(dkdStrategyFactory);
  bind(StrategyFactory).toConstantValue(distStrategyFactory);
});
