import { StrategyFactory } from '@distillery/core';
import { responsePlugin } from '@distillery/plugin-response';
import { ContainerModule } from 'inversify';
import { byotStrategyFactory } from './byotStrategyFactory.js';
import { mutualLearningStrategyFactory } from './mutualLearningStrategyFactory.js';

/**
 * Binds `self.byot` (Be Your Own Teacher), `online.dml` (deep mutual learning with the experiment's peers) and, for
 * born-again stages, every strategy of `responsePlugin`: born-again generations learn from the one before through
 * Hinton KD (`response.kd`) and, optionally, `task.ce`. It may be loaded beside `responsePlugin`: the registry binds
 * the very same factory once.
 */
export const selfDistillationPlugin = new ContainerModule((options) => {
  // responsePlugin's own load binds synchronously; calling it keeps its strategy list in one place.
  void responsePlugin.load(options);
  options.bind(StrategyFactory).toConstantValue(byotStrategyFactory);
  options.bind(StrategyFactory).toConstantValue(mutualLearningStrategyFactory);
});
