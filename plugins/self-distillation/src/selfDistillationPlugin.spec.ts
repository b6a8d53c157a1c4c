import '@tensorflow/tfjs-backend-cpu';
import { StrategyFactory } from '@distillery/core';
import { responsePlugin } from '@distillery/plugin-response';
import * as tf from '@tensorflow/tfjs-core';
import { Container } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import defaultExport, { selfDistillationPlugin } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('selfDistillationPlugin', () => {
  it('binds the response.kd strategy that born-again generations distil with', () => {
    const container = new Container();
    container.load(selfDistillationPlugin);
    const keys = container.getAll<StrategyFactory>(StrategyFactory).map((factory) => factory.key);
    expect(keys).toContain('response.kd');
  });

  it('is responsePlugin itself, so a run that lists both can load it once', () => {
    expect(selfDistillationPlugin).toBe(responsePlugin);
  });

  it('is the package default export', () => {
    expect(defaultExport).toBe(selfDistillationPlugin);
  });
});
