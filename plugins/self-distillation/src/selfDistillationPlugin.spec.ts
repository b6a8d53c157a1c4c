import '@tensorflow/tfjs-backend-cpu';
import { coreModule, StrategyFactory, StrategyRegistry } from '@distillery/core';
import { responsePlugin } from '@distillery/plugin-response';
import * as tf from '@tensorflow/tfjs-core';
import { Container } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import defaultExport, { selfDistillationPlugin } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('selfDistillationPlugin', () => {
  const keysOf = (module: typeof selfDistillationPlugin) => {
    const container = new Container();
    container.load(module);
    return container.getAll<StrategyFactory>(StrategyFactory).map((factory) => factory.key);
  };

  it('binds self.byot and the response.kd strategy that born-again generations distil with', () => {
    const keys = keysOf(selfDistillationPlugin);
    expect(keys).toContain('self.byot');
    expect(keys).toContain('response.kd');
  });

  it("binds online.dml and every one of responsePlugin's strategies", () => {
    expect(keysOf(selfDistillationPlugin).sort()).toEqual([...keysOf(responsePlugin), 'online.dml', 'self.byot'].sort());
  });

  it('loads beside responsePlugin: the registry binds the shared factories once', () => {
    const container = new Container();
    container.load(coreModule, selfDistillationPlugin, responsePlugin);
    const keys = container.get(StrategyRegistry).keys();
    expect(keys).toEqual([...new Set([...keysOf(responsePlugin), 'online.dml', 'self.byot', 'task.ce'])].sort());
  });

  it('is the package default export', () => {
    expect(defaultExport).toBe(selfDistillationPlugin);
  });
});
