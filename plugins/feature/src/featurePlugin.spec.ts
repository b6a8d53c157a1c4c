import '@tensorflow/tfjs-backend-cpu';
import { StrategyFactory } from '@distillery/core';
import * as tf from '@tensorflow/tfjs-core';
import { Container } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { featureFt } from './featureFt.js';
import { featureFtParaphraser } from './featureFtParaphraser.js';
import { featureHint } from './featureHint.js';
import { featureOfd } from './featureOfd.js';
import { featurePlugin } from './featurePlugin.js';
import { featureReview } from './featureReview.js';
import { featureVid } from './featureVid.js';
import plugin from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('featurePlugin', () => {
  it('binds the feature.hint factory as a StrategyFactory', () => {
    const container = new Container();
    container.load(featurePlugin);
    const factories = container.getAll<StrategyFactory>(StrategyFactory);
    expect(factories.filter((factory) => factory.key === 'feature.hint')).toEqual([featureHint]);
  });

  it('binds the feature.vid factory as a StrategyFactory', () => {
    const container = new Container();
    container.load(featurePlugin);
    const factories = container.getAll<StrategyFactory>(StrategyFactory);
    expect(factories.filter((factory) => factory.key === 'feature.vid')).toEqual([featureVid]);
  });

  it('binds the feature.review factory as a StrategyFactory', () => {
    const container = new Container();
    container.load(featurePlugin);
    const factories = container.getAll<StrategyFactory>(StrategyFactory);
    expect(factories.filter((factory) => factory.key === 'feature.review')).toEqual([featureReview]);
  });

  it('binds the feature.ofd factory as a StrategyFactory', () => {
    const container = new Container();
    container.load(featurePlugin);
    const factories = container.getAll<StrategyFactory>(StrategyFactory);
    expect(factories.filter((factory) => factory.key === 'feature.ofd')).toEqual([featureOfd]);
  });

  it('binds the feature.ft and feature.ft.paraphraser factories as StrategyFactories', () => {
    const container = new Container();
    container.load(featurePlugin);
    const factories = container.getAll<StrategyFactory>(StrategyFactory);
    expect(factories.filter((factory) => factory.key === 'feature.ft')).toEqual([featureFt]);
    expect(factories.filter((factory) => factory.key === 'feature.ft.paraphraser')).toEqual([featureFtParaphraser]);
  });

  it('is the default export of the package', () => {
    expect(plugin).toBe(featurePlugin);
  });
});
