import { DistilleryError } from '@distillery/core';
import { strategyLossParts } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  createPairedStrategy,
  creation,
  deferredCreate,
  itLeaksNothing,
  itRejectsAMissingTeacher,
  lossValue,
  poolPair,
  useRelationBatch,
} from './relationStrategyTestKit.js';
import { rkdLoss } from './rkdLoss.js';
import { rkdStrategyFactory } from './rkdStrategyFactory.js';
import { rkdTerms } from './rkdTerms.js';

const batch = useRelationBatch({ firstSeed: 1, pairedTeacher: 'deep', deepLogits: 'own', teacherStageShape: [4, 2, 2, 2] });

/** rkdTerms(student, teacher) as numbers. */
function termsOf(student: tf.Tensor, teacher: tf.Tensor): { distance: number; angle: number } {
  return tf.tidy(() => {
    const { distance, angle } = rkdTerms(student, teacher);
    return { distance: distance.dataSync()[0] as number, angle: angle.dataSync()[0] as number };
  });
}

describe('rkdStrategyFactory', () => {
  it('is registered as relation.rkd, cites Park et al. 2019 and weighs distance 25 and angle 50 by default', () => {
    expect(rkdStrategyFactory.key).toBe('relation.rkd');
    expect(rkdStrategyFactory.create({}, creation).key).toBe('relation.rkd');
    expect(rkdStrategyFactory.paper).toBe('Park, Kim, Lu, Cho 2019, "Relational Knowledge Distillation", CVPR');
    expect(rkdStrategyFactory.description).toMatch(/^RKD \(Park et al\. 2019\)/);
    expect(rkdStrategyFactory.optionsSchema?.parse({})).toEqual({ distanceWeight: 25, angleWeight: 50 });
  });

  it("relates the logits of the experiment's first teacher when no pairs are given, as rkdLoss does", async () => {
    const strategy = rkdStrategyFactory.create({}, creation);
    expect(strategy.taps).toBeUndefined();
    expect(strategy.lossParts).toEqual(['distance', 'angle']);
    const reported = await strategyLossParts(strategy, batch.context());
    const expected = lossValue(rkdLoss, batch.studentLogits, batch.wideLogits);
    const terms = termsOf(batch.studentLogits, batch.wideLogits);
    expect(reported.total).toBeCloseTo(expected, 5);
    expect(reported.parts.distance).toBeCloseTo(terms.distance, 6);
    expect(reported.parts.angle).toBeCloseTo(terms.angle, 6);
    expect(terms.distance).toBeGreaterThan(0);
    expect(terms.angle).toBeGreaterThan(0);
  });

  it('taps exactly the paired layers and reports distance and angle unweighted, the total weighing them', async () => {
    const strategy = createPairedStrategy(rkdStrategyFactory, batch, { distanceWeight: 2, angleWeight: 0.5 });
    const reported = await strategyLossParts(strategy, batch.context());
    const [pool, stage] = [termsOf(batch.studentPool, batch.teacherPool), termsOf(batch.studentStage, batch.teacherStage)];
    const distance = (pool.distance + stage.distance) / 2;
    const angle = (pool.angle + stage.angle) / 2;
    expect(reported.parts.distance).toBeCloseTo(distance, 6);
    expect(reported.parts.angle).toBeCloseTo(angle, 6);
    expect(reported.total).toBeCloseTo(2 * distance + 0.5 * angle, 5);
  });

  it('drops a term whose weight is 0', async () => {
    const strategy = rkdStrategyFactory.create({ distanceWeight: 0, angleWeight: 3 }, creation);
    const reported = await strategyLossParts(strategy, batch.context());
    expect(reported.total).toBeCloseTo(3 * termsOf(batch.studentLogits, batch.wideLogits).angle, 5);
    expect(reported.parts.distance).toBeGreaterThan(0);
  });

  it('rejects bad options with one line naming the option', () => {
    const create = deferredCreate(rkdStrategyFactory);
    expect(create({ distanceWeight: 0, angleWeight: 0 })).toThrow(DistilleryError);
    expect(create({ distanceWeight: 0, angleWeight: 0 })).toThrow(
      'strategies[1].options: expected distanceWeight or angleWeight above 0',
    );
    expect(create({ distanceWeight: -1 })).toThrow('strategies[1].options.distanceWeight: expected a number ≥ 0');
    expect(create({ angleWeight: 'high' })).toThrow('strategies[1].options.angleWeight: expected a number ≥ 0');
    expect(create({ pairs: [] })).toThrow(
      "strategies[1].options.pairs: expected at least one { student: '<layer>', teacher: '<layer>' }",
    );
    expect(create({ pairs: 's_pool' })).toThrow(
      "strategies[1].options.pairs: expected an array of { student: '<layer>', teacher: '<layer>' }",
    );
    expect(create({ pairs: [{ student: 's_pool' }] })).toThrow('strategies[1].options.pairs[0].teacher: expected a layer name');
    expect(create({ pairs: [{ student: 's_pool', teacher: 't_pool', weight: 2 }] })).toThrow(
      "strategies[1].options.pairs[0]: unknown key 'weight'",
    );
    expect(create({ temperature: 4 })).toThrow("strategies[1].options: unknown key 'temperature'");
    expect(create({ teacher: '' })).toThrow('strategies[1].options.teacher: expected a teacher name');
  });

  itRejectsAMissingTeacher(rkdStrategyFactory);
  itLeaksNothing(rkdStrategyFactory, batch, poolPair, strategyLossParts);
});
