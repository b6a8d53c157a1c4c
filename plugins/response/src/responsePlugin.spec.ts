import '@tensorflow/tfjs-backend-cpu';
import { StrategyFactory } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { Container } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import defaultExport, { responsePlugin } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('responsePlugin', () => {
  it('binds the response.kd, .dkd, .dist, .ctkd and .tfkd strategy factories', () => {
    const container = new Container();
    container.load(responsePlugin);
    const keys = container.getAll<StrategyFactory>(StrategyFactory).map((factory) => factory.key);
    expect(keys.sort()).toEqual(['response.ctkd', 'response.dist', 'response.dkd', 'response.kd', 'response.tfkd']);
  });

  it('is the package default export', () => {
    expect(defaultExport).toBe(responsePlugin);
  });
});
