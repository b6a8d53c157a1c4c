import { StrategyFactory } from '@distillery/core';
import { ContainerModule } from 'inversify';
import { attentionTransfer } from './attentionTransfer.js';

/** Adds `attention.at` to an experiment: `createDistiller({ …, plugins: [attentionPlugin] })`. */
export const attentionPlugin = new ContainerModule(({ bind }) => {
  bind(StrategyFactory).toConstantValue(attentionTransfer);
});
