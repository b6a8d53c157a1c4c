import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { meanLogitsPolicy } from './meanLogitsPolicy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function policyOutput(teachers: number[][][], temperature: number, part: 'target' | 'weights'): Promise<number[][]> {
  return expectNoLeaks(async () => {
    const teacherLogits = teachers.map((rows) => tf.tensor2d(rows));
    const labels = tf.zeros([teachers[0]?.length ?? 0], 'int32') as tf.Tensor1D;
    const input = { teacherLogits, labels, temperature, options: {}, step: 0, seed: 0 };
    const result = part === 'target' ? (meanLogitsPolicy.target?.(input) as tf.Tensor) : meanLogitsPolicy.weights(input);
    const values = (await result.array()) as number[][];
    tf.dispose([result, labels, ...teacherLogits]);
    return values;
  });
}

describe('meanLogitsPolicy', () => {
  it('is the target-combining policy mean-logits', () => {
    expect(meanLogitsPolicy.key).toBe('mean-logits');
    expect(meanLogitsPolicy.kind).toBe('target');
  });

  it('takes the softmax of the mean logits, worked by hand', async () => {
    // T = 1. Teachers [4 ln 3, 0] and [0, 0]: mean [2 ln 3, 0]; at T = 2 that is [ln 3, 0] → softmax [3/4, 1/4].
    // (mean-probs would give ([81/82, 1/82] + [1/2, 1/2]) / 2 instead: averaging logits is not averaging probabilities.)
    const ln3 = Math.log(3);
    const [row] = await policyOutput([[[4 * ln3, 0]], [[0, 0]]], 2, 'target');
    expect(row?.[0]).toBeCloseTo(3 / 4, 6);
    expect(row?.[1]).toBeCloseTo(1 / 4, 6);
  });

  it('gives every teacher the weight 1/K', async () => {
    const weights = await policyOutput([[[1, 2]], [[3, 4]]], 1, 'weights');
    expect(weights).toEqual([[0.5, 0.5]]);
  });

  it('takes no options', () => {
    expect(meanLogitsPolicy.validateOptions?.({ sharpen: true }, 2)).toEqual({
      option: 'sharpen',
      message: "the 'mean-logits' policy takes no option 'sharpen'",
    });
  });
});
