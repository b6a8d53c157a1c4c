import '@tensorflow/tfjs-backend-cpu';
import { uniqueVariableName } from '@distillery/core/internal';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AttentionBasedFusion } from './AttentionBasedFusion.js';
import { KnowledgeReview } from './KnowledgeReview.js';

const live: KnowledgeReview[] = [];
let features: tf.Tensor4D[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  // Three student stages, shallow → deep: 4×4×2, 2×2×3, 1×1×5.
  features = [
    tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 1),
    tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 2),
    tf.randomNormal([2, 1, 1, 5], 0, 1, 'float32', 3),
  ] as tf.Tensor4D[];
});

afterAll(() => {
  tf.dispose(features);
});

afterEach(() => {
  for (const made of live.splice(0)) made.dispose();
});

/** A review over the three stages above, towards teacher stages of 6, 7 and 8 channels, mid 4; freed after the test. */
function threeStageReview(seed: string | number = 9): KnowledgeReview {
  const review = new KnowledgeReview({
    stages: [
      { inChannels: 2, outChannels: 6 },
      { inChannels: 3, outChannels: 7 },
      { inChannels: 5, outChannels: 8 },
    ],
    midChannels: 4,
    variableName: (local) => uniqueVariableName(`review/${local}`),
    seed,
  });
  live.push(review);
  return review;
}

async function valuesOf(tensors: tf.Tensor[]): Promise<number[][]> {
  const values = await Promise.all(tensors.map(async (tensor) => Array.from(await tensor.data())));
  tf.dispose(tensors);
  return values;
}

describe('KnowledgeReview', () => {
  it('gives every stage a module, fusing all but the deepest, named under pairs[p] and seeded per stage', async () => {
    const review = threeStageReview('s');
    expect(review.stages.map((module) => module.fuse)).toEqual([true, true, false]);
    const names = review.variables().map((variable) => variable.name);
    expect(names.filter((name) => name.endsWith('conv1/kernel'))).toEqual([
      'review/pairs[0]/conv1/kernel',
      'review/pairs[1]/conv1/kernel',
      'review/pairs[2]/conv1/kernel',
    ]);
    expect(names).toHaveLength(8 + 8 + 6);
    expect(review.stages.map((module) => module.outputKernel.shape)).toEqual([
      [3, 3, 4, 6],
      [3, 3, 4, 7],
      [3, 3, 4, 8],
    ]);
    // Stage 1's conv1 draws from '<seed>/1/conv1'.
    const [expected] = await valuesOf([tf.randomUniform([1, 1, 3, 4], -1, 1, 'float32', 's/1/conv1')]);
    const actual = Array.from(await (review.stages[1] as AttentionBasedFusion).transformKernel.data());
    (expected as number[]).forEach((u, i) => {
      expect(actual[i]).toBeCloseTo(u * Math.sqrt(3 / 3), 6);
    });
  });

  it('runs from the deepest stage up and returns the outputs shallow → deep, one per teacher stage', async () => {
    const review = threeStageReview();
    const [ours, composed] = await expectNoLeaks(async () => {
      const outputs = review.apply(features);
      // The same path by hand: stage 2 alone, stage 1 fused with stage 2's residual, stage 0 with stage 1's.
      const byHand = tf.tidy(() => {
        const [shallow, middle, deep] = review.stages as [AttentionBasedFusion, AttentionBasedFusion, AttentionBasedFusion];
        const third = deep.apply(features[2] as tf.Tensor4D);
        const second = middle.apply(features[1] as tf.Tensor4D, third.residual);
        const first = shallow.apply(features[0] as tf.Tensor4D, second.residual);
        return [first.output, second.output, third.output];
      });
      expect(outputs.map((output) => output.shape)).toEqual([
        [2, 4, 4, 6],
        [2, 2, 2, 7],
        [2, 1, 1, 8],
      ]);
      return [await valuesOf(outputs), await valuesOf(byHand)];
    });
    expect(ours).toEqual(composed);
  });

  it('lets each output see its own stage and the deeper ones only', async () => {
    const review = threeStageReview();
    const changed = [
      features[0] as tf.Tensor4D,
      tf.add(features[1] as tf.Tensor4D, 1) as tf.Tensor4D,
      features[2] as tf.Tensor4D,
    ];
    const [before, after] = await expectNoLeaks(async () => [
      await valuesOf(review.apply(features)),
      await valuesOf(review.apply(changed)),
    ]);
    expect(after[2]).toEqual(before[2]);
    expect(after[1]).not.toEqual(before[1]);
    expect(after[0]).not.toEqual(before[0]);
    changed[1]?.dispose();
  });

  it('needs one feature per stage', () => {
    const review = threeStageReview();
    expect(() => review.apply(features.slice(0, 2))).toThrow('KnowledgeReview: expected 3 stage features, got 2');
  });

  it('frees the modules made before a refused stage, and all of them on dispose', () => {
    const before = tf.memory().numTensors;
    expect(
      () =>
        new KnowledgeReview({
          stages: [
            { inChannels: 2, outChannels: 2 },
            { inChannels: 0, outChannels: 2 },
          ],
          midChannels: 2,
          variableName: (local) => uniqueVariableName(`review/${local}`),
          seed: 1,
        }),
    ).toThrow('AttentionBasedFusion: inChannels must be a positive integer, got 0');
    expect(tf.memory().numTensors).toBe(before);
    const review = new KnowledgeReview({
      stages: [{ inChannels: 2, outChannels: 2 }],
      midChannels: 2,
      variableName: (local) => uniqueVariableName(`review/${local}`),
      seed: 1,
    });
    expect(review.variables()).toHaveLength(6);
    review.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
