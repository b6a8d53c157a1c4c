import '@tensorflow/tfjs-backend-cpu';
import { DistilleryError } from '@distillery/core';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TeacherPolicyOptions } from './TeacherPolicyOptions.js';
import { weightedPolicy } from './weightedPolicy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function weightsFor(options: TeacherPolicyOptions, teacherCount: number, batchSize = 2): Promise<number[][]> {
  return expectNoLeaks(async () => {
    const teacherLogits = Array.from({ length: teacherCount }, () => tf.zeros([batchSize, 3]) as tf.Tensor2D);
    const labels = tf.zeros([batchSize], 'int32') as tf.Tensor1D;
    const result = weightedPolicy.weights({ teacherLogits, labels, temperature: 4, options, step: 0, seed: 0 });
    const values = (await result.array()) as number[][];
    tf.dispose([result, labels, ...teacherLogits]);
    return values;
  });
}

describe('weightedPolicy', () => {
  it('is the weighting policy weighted', () => {
    expect(weightedPolicy.key).toBe('weighted');
    expect(weightedPolicy.kind).toBe('weights');
  });

  it('normalises the configured weights, the same row for every example', async () => {
    // [3, 1] / 4 = [0.75, 0.25]; [2, 0, 6] / 8 = [0.25, 0, 0.75].
    expect(await weightsFor({ weights: [3, 1] }, 2, 3)).toEqual([
      [0.75, 0.25],
      [0.75, 0.25],
      [0.75, 0.25],
    ]);
    expect(await weightsFor({ weights: [2, 0, 6] }, 3, 1)).toEqual([[0.25, 0, 0.75]]);
  });

  it('leaves weights that already sum to 1 as they are', async () => {
    const [row] = await weightsFor({ weights: [0.2, 0.3, 0.5] }, 3, 1);
    expect(row?.[0]).toBeCloseTo(0.2, 6);
    expect(row?.[1]).toBeCloseTo(0.3, 6);
    expect(row?.[2]).toBeCloseTo(0.5, 6);
  });

  it('requires weights, one per teacher', () => {
    expect(weightedPolicy.validateOptions?.({}, 3)).toEqual({
      option: 'weights',
      message: "the 'weighted' policy needs weights, one per teacher (3)",
    });
    expect(weightedPolicy.validateOptions?.({ weights: [1, 2] }, 3)).toEqual({
      option: 'weights',
      message: 'expected one weight per teacher (3), got 2',
    });
  });

  it('rejects negative weights, all-zero weights and non-numbers', () => {
    expect(weightedPolicy.validateOptions?.({ weights: [1, -1] }, 2)?.message).toBe('expected weights ≥ 0, got [1, -1]');
    expect(weightedPolicy.validateOptions?.({ weights: [0, 0] }, 2)?.message).toBe(
      'at least one weight must be positive, got [0, 0]',
    );
    expect(weightedPolicy.validateOptions?.({ weights: [1, Number.NaN] }, 2)?.message).toBe(
      'expected an array of finite numbers, one per teacher',
    );
    expect(weightedPolicy.validateOptions?.({ weights: 'even' } as unknown as TeacherPolicyOptions, 2)?.message).toBe(
      'expected an array of finite numbers, one per teacher',
    );
  });

  it('rejects options other than weights', () => {
    expect(weightedPolicy.validateOptions?.({ weights: [1, 1], scale: 2 }, 2)).toEqual({
      option: 'scale',
      message: "the 'weighted' policy takes no option 'scale'",
    });
  });

  it('throws from weights() too when called with bad options, leaking nothing', async () => {
    await expectNoLeaks(() => {
      expect(() => tf.tidy(() => weightedPolicy.weights(input([0, 0])))).toThrow(DistilleryError);
      expect(() => tf.tidy(() => weightedPolicy.weights(input([0, 0])))).toThrow(
        'weighted policy: weights: at least one weight must be positive, got [0, 0]',
      );
    });

    function input(weights: number[]) {
      return {
        teacherLogits: [tf.zeros([1, 2]) as tf.Tensor2D, tf.zeros([1, 2]) as tf.Tensor2D],
        labels: tf.zeros([1], 'int32') as tf.Tensor1D,
        temperature: 1,
        options: { weights },
        step: 0,
        seed: 0,
      };
    }
  });
});
