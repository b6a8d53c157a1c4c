import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Container, ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { DistilleryError } from '../errors/DistilleryError.js';
import type { DistillationStrategy } from './DistillationStrategy.js';
import type { StrategyCreationContext } from './StrategyCreationContext.js';
import { StrategyFactory } from './StrategyFactory.js';
import { StrategyRegistry } from './StrategyRegistry.js';
import { taskCrossEntropy } from './taskCrossEntropy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const creation: StrategyCreationContext = {
  path: 'strategies[0].options',
  teacherNames: ['t'],
  studentName: 'student',
  seed: 3,
  variableName: (local: string) => local,
  teacherLayerWeights: () => [],
};

/** A factory that records what it was created with. */
function recordingFactory(key: string) {
  const calls: { options: unknown; context: StrategyCreationContext }[] = [];
  const factory: StrategyFactory = {
    key,
    description: `the ${key} strategy`,
    create(options, context): DistillationStrategy {
      calls.push({ options, context });
      return { key, loss: () => tf.scalar(0) };
    },
  };
  return { factory, calls };
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('StrategyRegistry', () => {
  it('creates a strategy with the factory bound to its key, passing options and context through', () => {
    const ab = recordingFactory('a.b');
    const cd = recordingFactory('c.d');
    const registry = new StrategyRegistry([ab.factory, cd.factory]);
    const strategy = registry.create('c.d', { x: 1 }, creation, 'strategies[0].key');
    expect(strategy.key).toBe('c.d');
    expect(ab.calls).toEqual([]);
    expect(cd.calls).toEqual([{ options: { x: 1 }, context: creation }]);
  });

  it('lists its keys sorted and describes each', () => {
    const registry = new StrategyRegistry([taskCrossEntropy, recordingFactory('z.z').factory, recordingFactory('a.b').factory]);
    expect(registry.keys()).toEqual(['a.b', 'task.ce', 'z.z']);
    expect(registry.describe('z.z')).toBe('the z.z strategy');
    expect(registry.describe('nope')).toBeUndefined();
  });

  it('names the field and every registered key, sorted, when a key is unknown', () => {
    const registry = new StrategyRegistry([taskCrossEntropy, recordingFactory('a.b').factory]);
    const error = errorOf(() => registry.create('x', undefined, creation, 'strategies[0].key'));
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error).toMatchObject({
      message: "strategies[0].key: unknown strategy 'x'; registered: a.b, task.ce",
      field: 'strategies[0].key',
    });
  });

  it('refuses two factories with the same key', () => {
    const error = errorOf(
      () => new StrategyRegistry([recordingFactory('a.b').factory, taskCrossEntropy, recordingFactory('a.b').factory]),
    );
    expect(error).toBeInstanceOf(DistilleryError);
    expect(error.message).toBe("strategy key 'a.b' is bound by two plugins; keys must be unique");
  });

  it('binds the very same factory once when two plugins bind it (a plugin re-binding another’s strategies)', () => {
    const shared = recordingFactory('a.b').factory;
    const registry = new StrategyRegistry([shared, taskCrossEntropy, shared]);
    expect(registry.keys()).toEqual(['a.b', 'task.ce']);
    expect(registry.list()).toEqual([shared, taskCrossEntropy]);
  });

  it('collects the factories that container modules multi-bind', () => {
    const container = new Container();
    container.load(
      new ContainerModule(({ bind }) => {
        bind(StrategyFactory).toConstantValue(taskCrossEntropy);
      }),
      new ContainerModule(({ bind }) => {
        bind(StrategyFactory).toConstantValue(recordingFactory('plugin.one').factory);
        bind(StrategyFactory).toConstantValue(recordingFactory('plugin.two').factory);
      }),
    );
    container.bind(StrategyRegistry).toSelf();
    expect(container.get(StrategyRegistry).keys()).toEqual(['plugin.one', 'plugin.two', 'task.ce']);
  });
});
