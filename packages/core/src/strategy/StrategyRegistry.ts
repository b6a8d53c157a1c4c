import { injectable, multiInject } from 'inversify';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { DistillationStrategy } from './DistillationStrategy.js';
import type { StrategyCreationContext } from './StrategyCreationContext.js';
import { StrategyFactory } from './StrategyFactory.js';

/** Looks strategies up by key among every factory the loaded plugins bound. */
@injectable()
export class StrategyRegistry {
  private readonly factories = new Map<string, StrategyFactory>();

  constructor(@multiInject(StrategyFactory) factories: StrategyFactory[]) {
    for (const factory of factories) {
      // A plugin that re-binds another's factories (self-distillation binds the response strategies it runs
      // born-again generations with) may be loaded beside that plugin: the very same factory binds once.
      if (this.factories.get(factory.key) === factory) continue;
      if (this.factories.has(factory.key)) {
        throw new DistilleryError(`strategy key '${factory.key}' is bound by two plugins; keys must be unique`);
      }
      this.factories.set(factory.key, factory);
    }
  }

  /** Every registered key, sorted. */
  keys(): string[] {
    return [...this.factories.keys()].sort();
  }

  describe(key: string): string | undefined {
    return this.factories.get(key)?.description;
  }

  /** Every registered factory, sorted by key: for listings and the config's JSON Schema. */
  list(): StrategyFactory[] {
    return this.keys().map((key) => this.factories.get(key) as StrategyFactory);
  }

  /** @param keyField where the key stands in the config, for the lookup-miss message. */
  create(key: string, options: unknown, context: StrategyCreationContext, keyField: string): DistillationStrategy {
    const factory = this.factories.get(key);
    if (factory === undefined) {
      throw new DistilleryError(`${keyField}: unknown strategy '${key}'; registered: ${this.keys().join(', ')}`, keyField);
    }
    return factory.create(options, context);
  }
}
