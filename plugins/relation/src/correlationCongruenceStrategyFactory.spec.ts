import { DistilleryError } from '@distillery/core';
import { strategyLoss } from '@distillery/testing';
import { describe, expect, it } from 'vitest';
import { correlationCongruenceLoss } from './correlationCongruenceLoss.js';
import { correlationCongruenceStrategyFactory } from './correlationCongruenceStrategyFactory.js';
import {
  createPairedStrategy,
  creation,
  deferredCreate,
  itLeaksNothing,
  itRejectsAMissingTeacher,
  itRelatesTheLogitsByDefault,
  lossValue,
  poolPair,
  useRelationBatch,
} from './relationStrategyTestKit.js';

const batch = useRelationBatch({ firstSeed: 31, pairedTeacher: 'deep', teacherStageShape: [4, 2, 2, 2] });

describe('correlationCongruenceStrategyFactory', () => {
  it("is registered as relation.cc, cites Peng et al. 2019 and defaults to the paper's kernel", () => {
    expect(correlationCongruenceStrategyFactory.key).toBe('relation.cc');
    expect(correlationCongruenceStrategyFactory.paper).toBe(
      'Peng, Jin, Liu, Li, Wu, Liu, Zhou, Zhang 2019, "Correlation Congruence for Knowledge Distillation", ICCV',
    );
    expect(correlationCongruenceStrategyFactory.description).toMatch(/^CC \(Peng et al\. 2019\)/);
    expect(correlationCongruenceStrategyFactory.optionsSchema?.parse({})).toEqual({
      gamma: 0.4,
      order: 2,
      normalize: true,
      norm: 'squared',
    });
  });

  itRelatesTheLogitsByDefault(correlationCongruenceStrategyFactory, correlationCongruenceLoss, batch);

  it('passes gamma, order, normalize and norm through to the loss of every pair, and averages the pairs', async () => {
    const kernel = { gamma: 0.9, order: 3, normalize: false, norm: 'frobenius' } as const;
    const strategy = createPairedStrategy(correlationCongruenceStrategyFactory, batch, kernel);
    const pairMean = (options = {}) =>
      (lossValue(correlationCongruenceLoss, batch.studentPool, batch.teacherPool, options) +
        lossValue(correlationCongruenceLoss, batch.studentStage, batch.teacherStage, options)) /
      2;
    const value = await strategyLoss(strategy, batch.context());
    expect(value).toBeCloseTo(pairMean(kernel), 5);
    expect(Math.abs(value - pairMean())).toBeGreaterThan(1e-3);
  });

  it('passes each option alone, and each one changes the loss', async () => {
    const { studentLogits, wideLogits } = batch;
    const withDefaults = lossValue(correlationCongruenceLoss, studentLogits, wideLogits);
    for (const option of [{ gamma: 2 }, { order: 0 }, { order: 5 }, { normalize: false }, { norm: 'frobenius' as const }]) {
      const value = await strategyLoss(correlationCongruenceStrategyFactory.create(option, creation), batch.context());
      expect(value).toBeCloseTo(lossValue(correlationCongruenceLoss, studentLogits, wideLogits, option), 6);
      expect(Math.abs(value - withDefaults)).toBeGreaterThan(1e-5);
    }
  });

  it('rejects bad options with one line naming the option', () => {
    const create = deferredCreate(correlationCongruenceStrategyFactory);
    expect(create({ norm: 'l1' })).toThrow(DistilleryError);
    expect(create({ norm: 'l1' })).toThrow("strategies[1].options.norm: expected 'squared' or 'frobenius'");
    expect(create({ gamma: 0 })).toThrow('strategies[1].options.gamma: expected a positive number');
    expect(create({ gamma: '0.4' })).toThrow('strategies[1].options.gamma: expected a positive number');
    expect(create({ order: 1.5 })).toThrow('strategies[1].options.order: expected an integer ≥ 0');
    expect(create({ order: -1 })).toThrow('strategies[1].options.order: expected an integer ≥ 0');
    expect(create({ normalize: 'yes' })).toThrow(/^strategies\[1\]\.options\.normalize: [^\n]*boolean[^\n]*$/);
    expect(create({ reduction: 'none' })).toThrow("strategies[1].options: unknown key 'reduction'");
    expect(create({ pairs: [{ student: 's_pool', teacher: '' }] })).toThrow(
      'strategies[1].options.pairs[0].teacher: expected a layer name',
    );
  });

  itRejectsAMissingTeacher(correlationCongruenceStrategyFactory);
  itLeaksNothing(correlationCongruenceStrategyFactory, batch, poolPair);
});
