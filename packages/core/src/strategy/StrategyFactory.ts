import type { ZodType } from 'zod';
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
   * The options `create` accepts, as the zod schema it parses them with (defaults included). The config's
   * JSON Schema and `distillery strategies` are generated from it; without it they show the options as open.
   */
  readonly optionsSchema?: ZodType;
  /** The paper the method follows: authors, year, title and venue, as a reader would cite it. */
  readonly paper?: string;
  /**
   * Validates `options` (untrusted config data) and returns a fresh strategy.
   * Throws a {@link DistilleryError} naming the bad option.
   */
  create(options: unknown, context: StrategyCreationContext): DistillationStrategy;
}
