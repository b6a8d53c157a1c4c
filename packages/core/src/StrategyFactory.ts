import type { DistillationStrategy } from './DistillationStrategy.js';
import type { StrategyCreationContext } from './StrategyCreationContext.js';

/**
 * Extension point: a plugin multi-binds one factory per strategy key.
 * `bind(StrategyFactory).toConstantValue(myFactory)` or `.to(MyFactoryClass)` inside its ContainerModule.
 */
export const StrategyFactory = Symbol.for('@distillery/core/StrategyFactory');

export interface StrategyFactory {
  /** Registry key, `family.name` by convention (`response.kd`). Unique across all loaded plugins. */
  readonly key: string;
  /** One line for listings and lookup-miss errors. */
  readonly description: string;
  /**
   * Validates `options` (untrusted config data) and returns a fresh strategy.
   * Throws a {@link DistilleryError} naming the bad option.
   */
  create(options: unknown, context: StrategyCreationContext): DistillationStrategy;
}
