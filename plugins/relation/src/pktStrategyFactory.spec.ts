import { describe, expect, it } from 'vitest';
import { pktLoss } from './pktLoss.js';
import { pktStrategyFactory } from './pktStrategyFactory.js';
import { creation, itRelatesLayerPairsBy, useRelationBatch } from './relationStrategyTestKit.js';

const batch = useRelationBatch({ firstSeed: 11, pairedTeacher: 'wide', teacherStageShape: [4, 4, 4, 2] });

describe('pktStrategyFactory', () => {
  it('is registered as relation.pkt, cites Passalis & Tefas 2018 and has no options beyond teacher and pairs', () => {
    expect(pktStrategyFactory.key).toBe('relation.pkt');
    expect(pktStrategyFactory.create({}, creation).key).toBe('relation.pkt');
    expect(pktStrategyFactory.paper).toBe(
      'Passalis, Tefas 2018, "Learning Deep Representations with Probabilistic Knowledge Transfer", ECCV',
    );
    expect(pktStrategyFactory.description).toMatch(/^PKT \(Passalis & Tefas 2018\)/);
    expect(pktStrategyFactory.optionsSchema?.parse({})).toEqual({});
  });

  itRelatesLayerPairsBy(pktStrategyFactory, pktLoss, batch);
});
