import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { teacherWeights } from './teacherWeights.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('teacherWeights', () => {
  it('gives the policy’s weights [B, K] alone, worked by hand for confidence', async () => {
    // Teacher A: [3/4, 1/4], teacher B: [1/4, 3/4]; label 0 → w = [3/4, 1/4] (see confidencePolicy.spec).
    const ln3 = Math.log(3);
    const weights = await expectNoLeaks(async () => {
      const result = tf.tidy(() =>
        teacherWeights([tf.tensor2d([[ln3, 0]]), tf.tensor2d([[0, ln3]])], tf.tensor1d([0], 'int32'), {
          policy: 'confidence',
          temperature: 4,
        }),
      );
      const values = (await result.array()) as number[][];
      result.dispose();
      return values;
    });
    expect(weights[0]?.[0]).toBeCloseTo(3 / 4, 6);
    expect(weights[0]?.[1]).toBeCloseTo(1 / 4, 6);
  });

  it('draws random from the step and seed it is given', async () => {
    const pick = async (step: number) =>
      expectNoLeaks(async () => {
        const result = tf.tidy(() =>
          teacherWeights([tf.zeros([1, 2]), tf.zeros([1, 2]), tf.zeros([1, 2])], tf.zeros([1], 'int32'), {
            policy: 'random',
            temperature: 1,
            step,
            seed: 4,
          }),
        );
        const [row] = (await result.array()) as number[][];
        result.dispose();
        return row?.indexOf(1);
      });
    const picks = new Set<number | undefined>();
    for (let step = 0; step < 30; step++) picks.add(await pick(step));
    expect([...picks].sort()).toEqual([0, 1, 2]);
  });

  it('names itself in errors', () => {
    expect(() => teacherWeights([], tf.zeros([1], 'int32'), { policy: 'uniform', temperature: 1 })).toThrow(
      'teacherWeights: expected the logits of at least one teacher, got none',
    );
  });
});
