import { StrategyFactory } from '@distillery/core';
import { ContainerModule } from 'inversify';
import { ctkdStrategyFactory } from './ctkdStrategyFactory.js';
import { distStrategyFactory } from './distStrategyFactory.js';
import { dkdStrategyFactory } from './dkdStrategyFactory.js';
import { kdStrategyFactory } from './kdStrategyFactory.js';
import { tfkdStrategyFactory } from './tfkdStrategyFactory.js';

/**
 * Binds the response strategies `response.kd`, `response.dkd`, `response.dist`, `response.ctkd` and
 * `response.tfkd`. Pass it in an experiment's `plugins`.
 */
export const responsePlugin = new ContainerModule(({ bind }) => {
  bind(StrategyFactory).toConstantValue(kdStrategyFactory);
  bind(StrategyFactory).toConstantValue(dkdStrategyFactory);
  bind(StrategyFactory).toConstantValue(distStrategyFactory);
  bind(StrategyFactory).toConstantValue(ctkdStrategyFactory);
  bind(StrategyFactory).toConstantValue(tfkdStrategyFactory);
});
