import { StrategyFactory } from '@distillery/core';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { crdStrategyFactory } from './crdStrategyFactory.js';
import defaultExport, { contrastivePlugin } from './index.js';

describe('contrastivePlugin', () => {
  it('binds exactly the contrastive.crd strategy factory', () => {
    const container = new Container();
    container.load(contrastivePlugin);
    expect(container.getAll<StrategyFactory>(StrategyFactory)).toEqual([crdStrategyFactory]);
  });

  it('is the package default export', () => {
    expect(defaultExport).toBe(contrastivePlugin);
  });
});
