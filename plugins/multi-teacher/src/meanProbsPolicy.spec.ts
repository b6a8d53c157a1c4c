import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { meanProbsPolicy } from './meanProbsPolicy.js';
import type { TeacherWeightingInput } from './TeacherWeightingInput.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ln3 = Math.log(3);

/** Runs `read` on a policy input built from plain rows, and checks nothing but the read values outlives it. */
async function withInput(
  teachers: number[][][],
  temperature: number,
  read: (input: TeacherWeightingInput) => tf.Tensor,
): Promise<number[][]> {
  return expectNoLeaks(async () => {
    const teacherLogits = teachers.map((rows) => tf.tensor2d(rows));
    const labels = tf.zeros([teachers[0]?.length ?? 0], 'int32') as tf.Tensor1D;
    const result = read({ teacherLogits, labels, temperature, options: {}, step: 0, seed: 0 });
    const values = (await result.array()) as number[][];
    tf.dispose([result, labels, ...teacherLogits]);
    return values;
  });
}

function expectRowsClose(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, b) => {
    row.forEach((value, c) => {
      expect(value).toBeCloseTo((expected[b] as number[])[c] as number, 6);
    });
  });
}

describe('meanProbsPolicy', () => {
  it('is the target-combining policy mean-probs', () => {
    expect(meanProbsPolicy.key).toBe('mean-probs');
    expect(meanProbsPolicy.kind).toBe('target');
  });

  it('averages the teachers’ softened probabilities, worked by hand at T = 2', async () => {
    // T = 2. Teacher A: z/2 = [ln 3, 0] → [3/4, 1/4]; teacher B: z/2 = [0, 0] → [1/2, 1/2].
    // Example 2 swaps A's classes: [1/4, 3/4]. Mean: [5/8, 3/8] and [3/8, 5/8].
    const target = await withInput(
      [
        [
          [2 * ln3, 0],
          [0, 2 * ln3],
        ],
        [
          [0, 0],
          [0, 0],
        ],
      ],
      2,
      (input) => meanProbsPolicy.target?.(input) as tf.Tensor,
    );
    expectRowsClose(target, [
      [5 / 8, 3 / 8],
      [3 / 8, 5 / 8],
    ]);
  });

  it('gives every teacher the weight 1/K, in shape [B, K]', async () => {
    const rows = [
      [0, 1],
      [2, 3],
    ];
    const weights = await withInput([rows, rows, rows], 4, (input) => meanProbsPolicy.weights(input));
    expectRowsClose(weights, [
      [1 / 3, 1 / 3, 1 / 3],
      [1 / 3, 1 / 3, 1 / 3],
    ]);
  });

  it('takes no options', () => {
    expect(meanProbsPolicy.validateOptions?.({}, 2)).toBeUndefined();
    expect(meanProbsPolicy.validateOptions?.({ weights: [1, 2] }, 2)).toEqual({
      option: 'weights',
      message: "only the 'weighted' policy takes weights; the policy is 'mean-probs'",
    });
  });
});
