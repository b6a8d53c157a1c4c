import '@tensorflow/tfjs-backend-cpu';
import { StrategyFactory } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { Container } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { attentionPlugin } from './attentionPlugin.js';
import { attentionTransfer } from './attentionTransfer.js';
import plugin from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('attentionPlugin', () => {
  it('binds the attention.at factory', () => {
    const container = new Container();
    container.load(attentionPlugin);
    const factories = container.getAll<StrategyFactory>(StrategyFactory);
    expect(factories.map((factory) => factory.key)).toEqual(['attention.at']);
    expect(factories[0]).toBe(attentionTransfer);
  });

  it('is the package default export', () => {
    expect(plugin).toBe(attentionPlugin);
  });
});
