import { ContainerModule } from 'inversify';
import { Distiller } from './Distiller.js';
import { StrategyFactory } from './StrategyFactory.js';
import { StrategyRegistry } from './StrategyRegistry.js';
import { taskCrossEntropy } from './taskCrossEntropy.js';

/** The kernel's own bindings: the registry, the loop and the `task.ce` strategy. */
export const coreModule = new ContainerModule(({ bind }) => {
  bind(StrategyRegistry).toSelf().inSingletonScope();
  bind(Distiller).toSelf().inSingletonScope();
  bind(StrategyFactory).toConstantValue(taskCrossEntropy);
});
