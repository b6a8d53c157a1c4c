import '@tensorflow/tfjs-backend-cpu';
import { expectNoLeaks } from '@distillery/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { confidencePolicy } from './confidencePolicy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ln3 = Math.log(3);

async function weightsFor(teachers: number[][][], labels: number[], temperature = 4): Promise<number[][]> {
  return expectNoLeaks(async () => {
    const teacherLogits = teachers.map((rows) => tf.tensor2d(rows));
    const labelTensor = tf.tensor1d(labels, 'int32');
    const result = confidencePolicy.weights({
      teacherLogits,
      labels: labelTensor,
      temperature,
      options: {},
      step: 0,
      seed: 0,
    });
    expect(result.shape).toEqual([labels.length, teachers.length]);
    const values = (await result.array()) as number[][];
    tf.dispose([result, labelTensor, ...teacherLogits]);
    return values;
  });
}

function expectRowsClose(actual: number[][], expected: number[][]): void {
  actual.forEach((row, b) => {
    row.forEach((value, k) => {
      expect(value).toBeCloseTo((expected[b] as number[])[k] as number, 6);
    });
  });
}

describe('confidencePolicy (CA-MKD)', () => {
  it('is the weighting policy confidence', () => {
    expect(confidencePolicy.key).toBe('confidence');
    expect(confidencePolicy.kind).toBe('weights');
  });

  it('gives the teacher that is wrong on an example less weight there, worked by hand', async () => {
    // Teacher A: softmax([ln 3, 0]) = [3/4, 1/4]; teacher B: [1/4, 3/4], on both examples.
    // Example 1, label 0: CE_A = ln(4/3), CE_B = ln 4 → exp(CE) = [4/3, 4] → softmax share [1/4, 3/4]
    //   → w = (1 − share) / (K − 1) = [3/4, 1/4]: A is right, so A counts more.
    // Example 2, label 1: the roles swap → w = [1/4, 3/4].
    const teacherA = [
      [ln3, 0],
      [ln3, 0],
    ];
    const teacherB = [
      [0, ln3],
      [0, ln3],
    ];
    const weights = await weightsFor([teacherA, teacherB], [0, 1]);
    expectRowsClose(weights, [
      [3 / 4, 1 / 4],
      [1 / 4, 3 / 4],
    ]);
  });

  it('weighs three teachers by hand, rows summing to 1', async () => {
    // Label 0; p(label) = [1/2, 1/4, 1/2] from logits [0, 0], [0, ln 3], [0, 0].
    // exp(CE_k) = 1 / p = [2, 4, 2], sum 8 → shares [1/4, 1/2, 1/4] → w = (1 − share) / 2 = [3/8, 1/4, 3/8].
    const weights = await weightsFor([[[0, 0]], [[0, ln3]], [[0, 0]]], [0]);
    expectRowsClose(weights, [[3 / 8, 1 / 4, 3 / 8]]);
    expect((weights[0] as number[]).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('reads the cross-entropy at T = 1, whatever the KD temperature', async () => {
    const teachers = [[[ln3, 0]], [[0, ln3]]];
    expect(await weightsFor(teachers, [0], 1)).toEqual(await weightsFor(teachers, [0], 20));
  });

  it('gives a lone teacher the weight 1', async () => {
    expect(await weightsFor([[[5, -1, 0]]], [1])).toEqual([[1]]);
  });

  it('takes no options', () => {
    expect(confidencePolicy.validateOptions?.({ weights: [1, 1] }, 2)?.option).toBe('weights');
  });
});
