import { describe, expect, it } from 'vitest';
import { creation, itRelatesLayerPairsBy, useRelationBatch } from './relationStrategyTestKit.js';
import { similarityPreservingLoss } from './similarityPreservingLoss.js';
import { similarityPreservingStrategyFactory } from './similarityPreservingStrategyFactory.js';

const batch = useRelationBatch({ firstSeed: 11, pairedTeacher: 'wide', teacherStageShape: [4, 4, 4, 2] });

describe('similarityPreservingStrategyFactory', () => {
  it('is registered as relation.sp, cites Tung & Mori 2019 and has no options beyond teacher and pairs', () => {
    expect(similarityPreservingStrategyFactory.key).toBe('relation.sp');
    expect(similarityPreservingStrategyFactory.create({}, creation).key).toBe('relation.sp');
    expect(similarityPreservingStrategyFactory.paper).toBe(
      'Tung, Mori 2019, "Similarity-Preserving Knowledge Distillation", ICCV',
    );
    expect(similarityPreservingStrategyFactory.description).toMatch(/^Similarity-preserving KD \(Tung & Mori 2019\)/);
    expect(similarityPreservingStrategyFactory.optionsSchema?.parse({})).toEqual({});
  });

  itRelatesLayerPairsBy(similarityPreservingStrategyFactory, similarityPreservingLoss, batch);
});
