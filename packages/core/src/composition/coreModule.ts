import { ContainerModule } from 'inversify';
import { StrategyFactory } from '../strategy/StrategyFactory.js';
import { StrategyRegistry } from '../strategy/StrategyRegistry.js';
import { taskCrossEntropy } from '../strategy/taskCrossEntropy.js';
import { Distiller } from '../training/Distiller.js';

/** The kernel's own bindings: the registry, the loop and the `task.ce` strategy. */
export const coreModule = new ContainerModule(({ bind }) => {
  bind(StrategyRegistry).toSelf().inSingletonScope();
  bind(Distiller).toSelf().inSingletonScope();
  bind(StrategyFactory).toConstantValue(taskCrossEntropy);
});
