import { StrategyFactory } from '@distillery/core';
import { ContainerModule } from 'inversify';
import { dkdStrategyFactory } from './dkdStrategyFactory.js';
import { kdStrategyFactory } from './kdStrategyFactory.js';

/** Binds the `response.kd` and `response.dkd` strategies. Pass it in an experiment's `plugins`. */
export const responsePlugin = new ContainerModule(({ bind }) => {
  bind(StrategyFactory).toConstantValue(kdStrategyFactory);
  bind(StrategyFactory).toConstantValue(dkdStrategyFactory);
});
