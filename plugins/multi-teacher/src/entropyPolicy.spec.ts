import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { entropyPolicy } from './entropyPolicy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function weightsFor(teachers: number[][][], temperature: number): Promise<number[][]> {
  return expectNoLeaks(async () => {
    const teacherLogits = teachers.map((rows) => tf.tensor2d(rows));
    const labels = tf.zeros([teachers[0]?.length ?? 0], 'int32') as tf.Tensor1D;
    const result = entropyPolicy.weights({ teacherLogits, labels, temperature, options: {}, step: 0, seed: 0 });
    expect(result.shape).toEqual([teachers[0]?.length, teachers.length]);
    const values = (await result.array()) as number[][];
    tf.dispose([result, labels, ...teacherLogits]);
    return values;
  });
}

function expectRowsClose(actual: number[][], expected: number[][]): void {
  actual.forEach((row, b) => {
    row.forEach((value, k) => {
      expect(value).toBeCloseTo((expected[b] as number[])[k] as number, 5);
    });
  });
}

// At T = 2, logits −200 become −100: e^−100 ≈ 4e−44 of mass, nothing at six decimals.
const spreadOverFour = [0, 0, 0, 0]; // H = ln 4
const spreadOverTwo = [0, 0, -200, -200]; // H = ln 2

describe('entropyPolicy (EBKD)', () => {
  it('is the weighting policy entropy', () => {
    expect(entropyPolicy.key).toBe('entropy');
    expect(entropyPolicy.kind).toBe('weights');
  });

  it('gives the more confident teacher more weight, worked by hand', async () => {
    // H = [ln 4, ln 2] = [2 ln 2, ln 2], sum 3 ln 2 → shares [2/3, 1/3] → w = (1 − share) / (K − 1) = [1/3, 2/3].
    // The second example swaps the teachers.
    const weights = await weightsFor(
      [
        [spreadOverFour, spreadOverTwo],
        [spreadOverTwo, spreadOverFour],
      ],
      2,
    );
    expectRowsClose(weights, [
      [1 / 3, 2 / 3],
      [2 / 3, 1 / 3],
    ]);
  });

  it('weighs three teachers by hand, rows summing to 1', async () => {
    // H = [ln 4, ln 2, ln 2] = [2, 1, 1] · ln 2 → shares [1/2, 1/4, 1/4] → w = (1 − share) / 2 = [1/4, 3/8, 3/8].
    const weights = await weightsFor([[spreadOverFour], [spreadOverTwo], [spreadOverTwo]], 2);
    expectRowsClose(weights, [[1 / 4, 3 / 8, 3 / 8]]);
  });

  it('takes the entropy of the softened distribution softmax(z/T)', async () => {
    // Logits [ln 9, 0]: at T = 1 p = [9/10, 1/10]; at T = 2, [3/4, 1/4]. Against a uniform teacher (H = ln 2):
    // w_1 = (1 − H_1 / (H_1 + ln 2)) / 1 = ln 2 / (H_1 + ln 2), which depends on T through H_1.
    const entropy = (p: number[]) => -p.reduce((sum, pc) => sum + pc * Math.log(pc), 0);
    const ln2 = Math.log(2);
    for (const [temperature, p] of [
      [1, [0.9, 0.1]],
      [2, [0.75, 0.25]],
    ] as const) {
      const [row] = await weightsFor([[[Math.log(9), 0]], [[0, 0]]], temperature);
      expect(row?.[0]).toBeCloseTo(ln2 / (entropy([...p]) + ln2), 5);
    }
  });

  it('weighs teachers that are all certain equally instead of dividing by zero', async () => {
    // e^−1000 is exactly 0 in float32: every H is 0.
    const weights = await weightsFor([[[1000, 0]], [[0, 1000]], [[1000, 0]]], 1);
    expectRowsClose(weights, [[1 / 3, 1 / 3, 1 / 3]]);
  });

  it('gives a lone teacher the weight 1', async () => {
    expect(await weightsFor([[[1, 2, 3]]], 4)).toEqual([[1]]);
  });
});
